"""Notification texts: the event's default or the admin's override, checked and rendered safely.

A template is `str.format` text restricted to plain names: `{premise_number}` is replaced by the
event's value, `{{` and `}}` are literal braces. Attribute or index access (`{a.b}`, `{a[0]}`),
conversions (`{a!r}`), format specs (`{a:>10}`) and names the event does not declare are refused
when an admin saves, so a template can never reach into an object. Rendering maps each name to a
plain string (a missing value shows as "—") and, should a stored text still be unusable, falls
back to the default rather than break the business transaction that emitted the event.
"""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.notifications.catalog import EMAIL, EVENTS
from models.db import shared_cache, txcache
from models.db.base import utcnow
from models.db.errors import DomainError, NotFound
from models.notifications.outbox import NotificationTemplate

log = logging.getLogger(__name__)

MISSING = "—"
_FORMATTER = string.Formatter()


class InvalidTemplate(DomainError):
    pass


@dataclass(frozen=True)
class Text:
    event: str
    audience: str
    channel: str
    subject: str
    body: str
    row: NotificationTemplate | None = None

    @property
    def overridden(self) -> bool:
        return self.row is not None

    @property
    def has_subject(self) -> bool:
        return self.channel == EMAIL


def all_keys() -> list[tuple[str, str, str]]:
    """Every (event, audience, channel) that has a text, in the catalog's order."""
    return [(name, a, c) for name, event in EVENTS.items() for a, c in event.channels]


def default_text(event: str, audience: str, channel: str) -> Text:
    """The text declared with the event in the catalog."""
    declared = EVENTS.get(event)
    if declared is None or (audience, channel) not in declared.texts:
        raise NotFound("Такого шаблона уведомления нет")
    subject, body = declared.texts[(audience, channel)]
    return Text(event, audience, channel, subject, body)


def texts_of(session: Session, event: str) -> dict[tuple[str, str], Text]:
    """The texts of one event by (audience, channel): an override where an admin saved one.
    Read once per transaction (a tick batch sends the same event hundreds of times)."""
    return txcache.remember(session, "notification_texts", event, lambda: _texts(session, event))


def texts_for_sending(session: Session, event: str) -> dict[tuple[str, str], Text]:
    """The same texts without their rows, kept per worker for a few seconds (shared_cache):
    every notification reads them."""

    def read() -> dict[tuple[str, str], Text]:
        return {key: replace(text, row=None) for key, text in texts_of(session, event).items()}

    return shared_cache.remember(session, "notification_texts", event, read)


def _texts(session: Session, event: str) -> dict[tuple[str, str], Text]:
    rows = session.scalars(select(NotificationTemplate).where(NotificationTemplate.event == event))
    found = {(row.audience, row.channel): row for row in rows}
    texts = {}
    for audience, channel in EVENTS[event].channels:
        row = found.get((audience, channel))
        texts[(audience, channel)] = (
            Text(event, audience, channel, row.subject, row.body, row)
            if row is not None
            else default_text(event, audience, channel)
        )
    return texts


def text_for(session: Session, event: str, audience: str, channel: str) -> Text:
    default = default_text(event, audience, channel)
    return texts_of(session, event).get((audience, channel), default)


def problems(event: str, channel: str, subject: str, body: str) -> dict[str, str]:
    """What is wrong with a text an admin typed, by form field; empty when it may be saved."""
    allowed = EVENTS[event].placeholders
    found = {}
    if channel == EMAIL:
        if not subject.strip():
            found["subject"] = "Укажите тему письма"
        elif len(subject) > 300:
            found["subject"] = "Тема письма — не длиннее 300 знаков"
        elif problem := _problem(subject, allowed):
            found["subject"] = problem
    if not body.strip():
        found["body"] = "Текст уведомления не может быть пустым"
    elif problem := _problem(body, allowed):
        found["body"] = problem
    return found


def _problem(text: str, allowed) -> str | None:
    try:
        parts = list(_FORMATTER.parse(text))
    except ValueError:
        return (
            "Фигурные скобки не парные. Подстановка пишется как {имя}, "
            "а сама скобка в тексте — как {{ или }}"
        )
    for _literal, name, spec, conversion in parts:
        if name is None:
            continue
        shown = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "")
        shown += "}"
        if not name:
            return "Пустая подстановка {}: укажите имя из списка, например {client_name}"
        if not name.isidentifier():
            return f"Подстановка {shown} недопустима: только имя из списка, без точек и скобок"
        if conversion or spec:
            return f"Подстановка {shown} недопустима: формат указывать нельзя, пишите {{{name}}}"
        if name not in allowed:
            names = ", ".join("{" + n + "}" for n in allowed)
            return f"Неизвестная подстановка {shown}. Для этого события доступны: {names}"
    return None


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return MISSING


def plain_values(context: dict[str, Any]) -> _Values:
    values = _Values()
    for name, value in context.items():
        if isinstance(value, bool) or value is None:
            continue
        if isinstance(value, str | int | float | Decimal):
            values[name] = str(value)
    return values


def render(text: str, context: dict[str, Any]) -> str:
    """Fill a checked template; plain values only, a missing one shows as "—"."""
    return text.format_map(plain_values(context))


def compose(text: Text, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of a message; a stored text that no longer renders yields the default."""
    problem = problems(text.event, text.channel, text.subject, text.body)
    if problem:
        log.error("template %s/%s/%s is unusable: %s", *_key(text), problem)
        text = default_text(*_key(text))
    subject = render(text.subject, context) if text.has_subject else ""
    return subject[:300], render(text.body, context)


def save(
    session: Session,
    key: tuple[str, str, str],
    *,
    subject: str,
    body: str,
    user_id: int | None,
    now: datetime | None = None,
) -> NotificationTemplate:
    """Store an admin's text; InvalidTemplate (and nothing written) when it is not usable."""
    event, audience, channel = key
    default_text(event, audience, channel)  # NotFound for a key nobody sends
    subject = subject if channel == EMAIL else ""
    found = problems(event, channel, subject, body)
    if found:
        field, message = next(iter(found.items()))
        raise InvalidTemplate(message, field=field)
    row = session.scalar(
        select(NotificationTemplate).where(*_matching(key))
    ) or NotificationTemplate(event=event, audience=audience, channel=channel)
    row.subject, row.body = subject, body
    row.updated_at, row.updated_by_id = now or utcnow(), user_id
    session.add(row)
    session.flush()
    _forget(session)
    return row


def reset(session: Session, key: tuple[str, str, str]) -> bool:
    """Back to the default text; True when there was an override."""
    result = session.execute(delete(NotificationTemplate).where(*_matching(key)))
    _forget(session)
    return bool(result.rowcount)


def _forget(session: Session) -> None:
    txcache.forget(session, "notification_texts")
    shared_cache.forget(session, "notification_texts")


def _matching(key: tuple[str, str, str]) -> tuple:
    event, audience, channel = key
    return (
        NotificationTemplate.event == event,
        NotificationTemplate.audience == audience,
        NotificationTemplate.channel == channel,
    )


def _key(text: Text) -> tuple[str, str, str]:
    return text.event, text.audience, text.channel
