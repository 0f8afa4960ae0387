"""Who is told about an event and how.

Employees named by the caller (`user_ids`) get an in-app notification (the counter in the
header) and, for the events that say so, an email. The client gets an email and an SMS when the
event has client channels, the client has the address, and the consent allows it: a service
message needs the consent to personal-data processing (152-ФЗ), a marketing one also the
marketing consent. Emails and SMS are outbox rows written in the caller's transaction; the beat
job `outbox.send_due` delivers them (engine/outbox.py), so nothing is lost when the worker is down.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.notifications import templates as message_templates
from engine.notifications.catalog import EMAIL, IN_APP, SMS, Event
from models.clients.client import Client, ConsentKind
from models.notifications.in_app import Notification
from models.notifications.outbox import Audience, MessageChannel, OutboundMessage
from models.users.user import User

NBSP = "\u00a0"  # as web/formatting.py writes money


def dispatch(
    session: Session,
    event: Event,
    *,
    client_id: int | None,
    user_ids: list[int],
    context: dict[str, Any],
    link: str | None,
    now: datetime,
) -> list[OutboundMessage]:
    """Write the in-app notifications and outbox rows of one event; returns the outbox rows."""
    context = with_derived_values(context)
    texts = message_templates.texts_for_sending(session, event.name)
    rows: list[OutboundMessage] = []
    if user_ids and event.staff_channels:
        rows += _tell_staff(session, event, texts, user_ids, context, link, now)
    if client_id is not None and event.client_channels:
        rows += _tell_client(session, event, texts, client_id, context, now)
    for row in rows:
        session.add(row)
    return rows


def _tell_staff(session, event: Event, texts, user_ids, context, link, now):
    staff = Audience.staff.value
    in_app = IN_APP in event.staff_channels
    by_email = EMAIL in event.staff_channels
    _, text = message_templates.compose(texts[(staff, IN_APP)], context) if in_app else ("", "")
    subject, body = (
        message_templates.compose(texts[(staff, EMAIL)], context) if by_email else ("", "")
    )
    rows = []
    for user in _active_users(session, user_ids):
        if in_app:
            session.add(
                Notification(
                    user_id=user.id, text=text, link=link or "", kind=event.name, created_at=now
                )
            )
        if by_email and user.email:
            rows.append(
                _row(event.name, MessageChannel.email, user.email, subject, body, now, user=user)
            )
    return rows


def _active_users(session: Session, user_ids: list[int]) -> list[User]:
    """The active ones of `user_ids`; those the session has already loaded are not read again
    (a reservation's manager, an approval's requester)."""
    loaded = {}
    for user_id in user_ids:
        user = session.identity_map.get(identity_key(User, user_id))
        if user is not None and "is_active" in user.__dict__:
            loaded[user_id] = user
    missing = [user_id for user_id in user_ids if user_id not in loaded]
    if missing:
        query = select(User).where(User.id.in_(missing), User.is_active.is_(True))
        loaded.update((user.id, user) for user in session.scalars(query))
    return [loaded[u] for u in user_ids if u in loaded and loaded[u].is_active]


def _tell_client(session, event: Event, texts, client_id, context, now):
    client = _current_card(session, client_id)
    if client is None or not may_receive(client, marketing=event.marketing):
        return []
    audience = Audience.client.value
    context = {"client_name": client.full_name, **context}
    addresses = {EMAIL: client.email, SMS: client.phone}
    rows = []
    for channel in event.client_channels:
        if addresses.get(channel):
            subject, body = message_templates.compose(texts[(audience, channel)], context)
            message = _row(
                event.name, channel, addresses[channel], subject, body, now, client=client
            )
            rows.append(message)
    return rows


def _current_card(session, client_id: int) -> Client | None:
    """The client, or the card it was merged into."""
    client = session.get(Client, client_id)
    for _ in range(10):  # a merge chain is short; never loop on bad data
        if client is None or client.merged_into_id is None:
            break
        client = session.get(Client, client.merged_into_id)
    return client


def may_receive(client: Client, *, marketing: bool) -> bool:
    """Service messages need personal-data consent; marketing ones the marketing consent too."""
    if not client.has_consent(ConsentKind.personal_data):
        return False
    return not marketing or client.has_consent(ConsentKind.marketing)


def _row(event, channel, address, subject, body, now, *, user=None, client=None):
    return OutboundMessage(
        channel=MessageChannel(channel),
        event=event,
        to_address=address,
        subject=subject,
        body=body,
        next_attempt_at=now,
        created_at=now,
        user_id=user.id if user else None,
        client_id=client.id if client else None,
    )


def with_derived_values(context: dict[str, Any]) -> dict[str, Any]:
    """Add what templates show but callers pass raw: a fixed price written the Russian way."""
    derived = dict(context)
    if "fixed_price" in context and "fixed_price_text" not in context:
        derived["fixed_price_text"] = roubles(context["fixed_price"])
    return derived


def roubles(value: Any) -> str:
    """'10500000.00' → '10 500 000,00 ₽' with no-break spaces, as DOMAIN.md shows money."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    whole, _, kopecks = f"{amount:,.2f}".partition(".")
    return whole.replace(",", NBSP) + f",{kopecks}{NBSP}₽"
