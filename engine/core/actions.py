"""Service-task actions: Python work called by name from a BPMN service task.

An action takes ids and values from the task's parameters, loads entities through the given
session, changes them and only flushes. It returns a small JSON-able dict that lands in the
task data under the task's result variable. A rule it cannot keep is an `ActionError` with a
code: a boundary error event with that code in the BPMN catches it; otherwise the instance goes
to `error`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.speed import steps
from models.db.errors import DomainError
from models.process.instance import ProcessEvent, ProcessEventKind


class ActionError(DomainError):
    """A business rule an action could not keep; `code` matches a BPMN errorCode."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message, field=field)
        self.code = code


@dataclass(frozen=True)
class ActionParam:
    name: str
    type: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class Action:
    name: str
    description: str
    params: tuple[ActionParam, ...]
    func: Callable[..., dict[str, Any] | None]
    error_codes: tuple[str, ...] = field(default_factory=tuple)
    # A try-run's stand-in result when the analyst gave none: (params, task data) → result,
    # computed without the database (engine/authoring/tryrun.py).
    sample: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None


@dataclass
class ActionContext:
    """What an action may use besides its parameters.

    Work on *other* instances (starting a process, delivering a message) is queued in
    `followups` and done by the engine once the current instance is stored, in the same
    transaction: an instance is never advanced from inside its own run.
    """

    session: Session
    instance_id: int | None
    user_id: int | None
    business_keys: dict[str, Any] = field(default_factory=dict)
    followups: list[Followup] = field(default_factory=list)
    # Set by the engine for the speed layer (engine/speed/steps.py); an action never reads it.
    guarded: bool = True

    def flush(self, *needed: object) -> None:
        """Send the action's writes, so that a constraint fails inside the action: the one way
        an action flushes, in a request or in the tick alike. `needed`: new rows whose ids the
        action reads next. When the writes actually go is the speed layer's choice: at once,
        or, in an unguarded step, with the step's own flush (a failure there redoes the step
        guarded, where it fails here)."""
        steps.flush_action(self.session, guarded=self.guarded, needed=needed)

    def approved_by(self) -> int | None:
        """Who approved the step now running: the user whose decision "approve" is the latest
        task completed in this instance (None when the latest was not an approval, e.g. a
        request within its threshold, or a request sent back and made again)."""
        if self.instance_id is None:
            return None
        last = self.session.scalars(
            select(ProcessEvent)
            .where(
                ProcessEvent.instance_id == self.instance_id,
                ProcessEvent.kind == ProcessEventKind.task_completed,
            )
            .order_by(ProcessEvent.id.desc())
            .limit(1)
        ).first()
        data = (last.data or {}) if last is not None else {}
        return last.user_id if data.get("decision") == "approve" else None

    def add_business_key(self, name: str, value: Any) -> None:
        """Let the instance be found by this key from now on (e.g. the reservation it made)."""
        self.business_keys[name] = value

    def start_process(self, process_id: str, data: dict, business_keys: dict, **kwargs) -> None:
        self.followups.append(Followup("start", process_id, data, business_keys, kwargs))

    def send_message(self, name: str, key: str, value: Any, payload: dict) -> None:
        self.followups.append(Followup("message", name, payload, {key: value}, {}))


@dataclass(frozen=True)
class Followup:
    kind: str  # "start" or "message"
    name: str  # process id or message name
    data: dict
    keys: dict
    options: dict


_REGISTRY: dict[str, Action] = {}


def action(
    name: str,
    description: str,
    params: dict[str, tuple[str, str]] | None = None,
    error_codes: tuple[str, ...] = (),
    sample: Callable[[dict[str, Any], dict[str, Any]], dict[str, Any]] | None = None,
):
    """Register `func(ctx, **params)` as the service-task action `name`.

    `params` maps a parameter name to (type, description), for the validator and the modeler.
    `sample`: the result a try-run shows when the analyst gave none (see `Action.sample`).
    """

    def decorator(func):
        if name in _REGISTRY:
            raise ValueError(f"action {name} registered twice")
        _REGISTRY[name] = Action(
            name=name,
            description=description,
            params=tuple(
                ActionParam(pname, ptype, pdesc) for pname, (ptype, pdesc) in (params or {}).items()
            ),
            func=func,
            error_codes=error_codes,
            sample=sample,
        )
        return func

    return decorator


def registered() -> dict[str, Action]:
    """The actions registered so far: the areas' (engine/areas.py registers them) and tests'."""
    return dict(_REGISTRY)


def get(name: str) -> Action | None:
    return _REGISTRY.get(name)


def call(name: str, ctx: ActionContext, params: dict[str, Any]) -> dict[str, Any]:
    found = get(name)
    if found is None:
        raise ActionError("unknown_action", f"Действие «{name}» не зарегистрировано")
    expected = {p.name for p in found.params}
    unknown = set(params) - expected
    if unknown:
        raise ActionError(
            "bad_parameters",
            f"Действие «{name}» не принимает параметры: {', '.join(sorted(unknown))}",
        )
    missing = {p.name for p in found.params if p.required} - set(params)
    if missing:
        raise ActionError(
            "bad_parameters",
            f"Действию «{name}» не переданы параметры: {', '.join(sorted(missing))}",
        )
    result = found.func(ctx, **params)
    return result or {}
