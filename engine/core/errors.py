"""Errors the engine reports to its callers (all are DomainErrors: a message, a 4xx)."""

from __future__ import annotations

from models.db.errors import DomainError


class FormInvalid(DomainError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("Форма заполнена с ошибками")
        self.errors = errors


class MessageNotExpected(DomainError):
    """A message no instance waits for: an error to the caller, never silently dropped."""


class InstanceNotFound(DomainError):
    pass


class InstanceStateError(DomainError):
    """The instance is not in a state that allows the action (retry a running one…)."""


class ProcessNotFound(DomainError):
    pass
