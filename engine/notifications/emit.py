"""Business events: one call puts the event on the client's timeline and notifies people.

`emit` is called by actions and the engine (a reservation made, expired, a queue promotion,
an approval requested or decided, a task due…) with an event declared in the catalog
(engine/notifications/catalog.py). The timeline entry is an `Interaction` of kind `system` with
the event's timeline line; who is told what, and by which channel, is `notify.dispatch`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.notifications.catalog import Event
from models.crm.history import Interaction, InteractionKind
from models.db import history_rows
from models.db.base import utcnow


def emit(
    session: Session,
    event: Event,
    *,
    client_id: int | None = None,
    user_ids: Iterable[int | None] = (),
    context: dict[str, Any] | None = None,
    link: str | None = None,
    now: datetime | None = None,
) -> None:
    from engine.notifications import notify  # notify renders templates and writes the outbox

    now = now or utcnow()
    context = dict(context or {})
    if client_id is not None and event.timeline is not None:
        history_rows.add(
            session,
            Interaction(
                client_id=client_id,
                kind=InteractionKind.system,
                summary=_fill(event.timeline, context)[:300],
                at=now,
                link=link,
            ),
        )
    notify.dispatch(
        session,
        event,
        client_id=client_id,
        user_ids=[u for u in dict.fromkeys(user_ids) if u is not None],
        context=context,
        link=link,
        now=now,
    )


def _fill(template: str, context: dict[str, Any]) -> str:
    class Missing(dict):
        def __missing__(self, key):
            return "—"

    return template.format_map(Missing({k: v for k, v in context.items() if _plain(v)}))


def _plain(value: Any) -> bool:
    return isinstance(value, str | int | float) or value is None
