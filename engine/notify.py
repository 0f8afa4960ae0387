"""Who is told about an event and how.

Employees get an in-app notification (the counter in the header).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.notification import Notification

IN_APP = {
    "reservation_made": "Бронь поставлена: № {premise_number}, {client_name}, до {expires_at_text}",
    "reservation_expiring": "Срок брони истекает {expires_at_text}: № {premise_number}, "
    "{client_name}",
    "reservation_expired": "Истёк срок брони: № {premise_number}, {client_name}",
    "reservation_cancelled": "Бронь снята: № {premise_number}, {client_name}",
    "reservation_converted": "Бронь перешла в сделку: № {premise_number}, {client_name}",
    "queue_promoted": "Клиент {client_name} получил бронь № {premise_number} из очереди: "
    "подтвердите её",
    "approval_requested": "Нужно ваше решение: {title}",
    "approval_decided": "{title}: {decision_text}",
}


def dispatch(
    session: Session,
    event: str,
    *,
    client_id: int | None,
    user_ids: list[int],
    context: dict[str, Any],
    link: str | None,
    now: datetime,
) -> None:
    template = IN_APP.get(event)
    if template is None:
        return
    from engine.events import _fill

    text = _fill(template, context)
    for user_id in user_ids:
        session.add(
            Notification(user_id=user_id, text=text, link=link or "", kind=event, created_at=now)
        )
