"""Business events: one call puts the event on the client's timeline and notifies people.

`emit` is called by actions and the engine (a reservation made, expired, a queue promotion,
an approval requested or decided, a task due…). The timeline entry is an `Interaction` of
kind `system`; who is told what, and by which channel, is `engine.notify.dispatch`'s job.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.crm.history import Interaction, InteractionKind
from models.db import history_rows
from models.db.base import utcnow

# The line each event leaves on the client's timeline; {name} comes from the context.
TIMELINE = {
    "reservation_made": "Поставлена бронь: помещение № {premise_number} до {expires_at_text}",
    "reservation_expiring": "Бронь помещения № {premise_number} скоро истечёт ({expires_at_text})",
    "reservation_expired": "Бронь помещения № {premise_number} истекла",
    "reservation_cancelled": "Бронь помещения № {premise_number} снята",
    "reservation_converted": "Бронь помещения № {premise_number} перешла в сделку",
    "queue_promoted": "Клиент получил бронь № {premise_number} из очереди",
    "approval_decided": "{title}: {decision_text}",
}


def emit(
    session: Session,
    event: str,
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
    if client_id is not None and event in TIMELINE:
        history_rows.add(
            session,
            Interaction(
                client_id=client_id,
                kind=InteractionKind.system,
                summary=_fill(TIMELINE[event], context)[:300],
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
