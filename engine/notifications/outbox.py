"""The send pass: deliver due outbox rows, with retries and exponential back-off.

`send_due` is what the beat job `outbox.send_due` (every 10 s) and `flask --app web outbox send`
run. It claims a batch of due rows in one statement (`UPDATE … WHERE id IN (SELECT … FOR UPDATE
SKIP LOCKED) RETURNING id` on PostgreSQL; SQLite serialises writers), counting the attempt and
moving `next_attempt_at` a lease ahead, and commits: a second worker does not see those rows, and
if this one dies mid-batch they come back when the lease ends. Then each message is sent outside
any lock and its outcome committed at once: sent, or the reason and the next attempt after 1, 2,
4, 8… minutes (models/outbox.py `retry_delay`), or `failed` after the last attempt. Delivery is
at least once; the stable Message-ID / SMS reference lets the far side recognise a repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.notifications.delivery import DeliveryError, Email, Mailer, Sms, SmsGateway, sms_gateway
from models.db.base import utcnow
from models.db.errors import NotFound
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=15)  # how long a claimed row is hidden from other workers
DEFAULT_MAX_ATTEMPTS = 8  # 1+2+4+8+16+32+60 minutes of retries, then `failed`


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0  # failed this time, another attempt is scheduled
    failed: int = 0  # failed for the last time: status `failed`, waits for a resend

    @property
    def total(self) -> int:
        return self.sent + self.retried + self.failed


def send_due(
    session: Session,
    settings: Mapping[str, Any],
    *,
    now: datetime | None = None,
    batch_size: int = 100,
    max_rounds: int = 100,
) -> SendResult:
    """Send every due message, batch after batch, until none is due (or `max_rounds`).

    Commits as it goes; give it a session with nothing pending."""
    result = SendResult()
    max_attempts = int(settings.get("OUTBOX_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    gateway = sms_gateway(settings)
    with Mailer(settings) as mailer:
        for _ in range(max_rounds):
            messages = _claimed_messages(session, now or utcnow(), batch_size)
            for message in messages:  # no transaction is open while a message travels
                _send_one(message, mailer, gateway, max_attempts, now, result)
                _record(session, message)
            if len(messages) < batch_size:
                break
    return result


def claim(session: Session, now: datetime, batch_size: int) -> list[int]:
    """Take up to `batch_size` due rows: count the attempt, hide them for a lease."""
    due = (
        select(OutboundMessage.id)
        .where(
            OutboundMessage.status == MessageStatus.pending,
            OutboundMessage.next_attempt_at <= now,
        )
        .order_by(OutboundMessage.next_attempt_at, OutboundMessage.id)
        .limit(batch_size)
    )
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claimed = (
        update(OutboundMessage)
        .where(OutboundMessage.id.in_(due.scalar_subquery()))
        .values(attempts=OutboundMessage.attempts + 1, next_attempt_at=now + LEASE)
        .returning(OutboundMessage.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(session.scalars(claimed).all())


def _claimed_messages(session: Session, now: datetime, batch_size: int) -> list[OutboundMessage]:
    """Claim a batch, then load it as detached rows so that no transaction stays open (on
    SQLite a read snapshot held across a send would make the outcome's write fail)."""
    ids = claim(session, now, batch_size)
    session.commit()
    if not ids:
        return []
    messages = session.scalars(
        select(OutboundMessage)
        .where(OutboundMessage.id.in_(ids))
        .order_by(OutboundMessage.id)
        .execution_options(populate_existing=True)
    ).all()
    for message in messages:
        session.expunge(message)
    session.commit()
    return list(messages)


def _send_one(message, mailer, gateway, max_attempts, now, result) -> None:
    try:
        via, reference = deliver(message, mailer, gateway)
    except Exception as error:  # noqa: BLE001 - any failure is this message's, with its reason
        if not isinstance(error, DeliveryError):
            log.exception("outbox %s: unexpected error while sending", message.id)
            error = f"Внутренняя ошибка при отправке: {type(error).__name__}: {error}"
        message.attempt_failed(str(error)[:2000], now or utcnow(), max_attempts)
        if message.status == MessageStatus.failed:
            result.failed += 1
            log.warning("outbox %s failed for good: %s", message.id, error)
        else:
            result.retried += 1
        return
    message.delivered(via, reference, now or utcnow())
    result.sent += 1


OUTCOME = (
    "status",
    "sent_at",
    "delivered_via",
    "provider_message_id",
    "last_error",
    "next_attempt_at",
)


def _record(session: Session, message: OutboundMessage) -> None:
    """Write the outcome the entity decided, in a transaction that starts with the write."""
    values = {name: getattr(message, name) for name in OUTCOME}
    session.execute(
        update(OutboundMessage)
        .where(OutboundMessage.id == message.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def deliver(
    message: OutboundMessage, mailer: Mailer, gateway: SmsGateway
) -> tuple[str, str | None]:
    """Carry one message out; (how, the far side's id) or DeliveryError with the reason."""
    if message.channel == MessageChannel.email:
        email = Email(message.id, message.to_address, message.subject, message.body)
        return mailer.via, mailer.send(email)
    return gateway.via, gateway.send(Sms(message.id, message.to_address, message.body))


def resend(session: Session, message_id: int, *, now: datetime | None = None) -> OutboundMessage:
    """A failed message goes back to the queue with a fresh set of retries."""
    message = session.get(OutboundMessage, message_id, with_for_update=True)
    if message is None:
        raise NotFound("Сообщение не найдено")
    message.resend(now or utcnow())
    session.flush()
    return message


def counts(session: Session) -> dict[MessageStatus, int]:
    rows = session.execute(
        select(OutboundMessage.status, func.count()).group_by(OutboundMessage.status)
    )
    found = dict(rows.all())
    return {status: found.get(status, 0) for status in MessageStatus}
