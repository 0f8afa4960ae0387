"""Outbound notifications: every message is an outbox row first, sent by Celery with retries."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.db.base import Base, UTCDateTime, utcnow
from models.db.errors import DomainError

FIRST_RETRY = timedelta(minutes=1)  # then 2, 4, 8, 16, 32 minutes…
LONGEST_RETRY = timedelta(hours=1)  # …never more than an hour between attempts


class MessageChannel(enum.StrEnum):
    email = "email"
    sms = "sms"


class MessageStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; can be resent by hand


class MessageNotResendable(DomainError):
    pass


def retry_delay(attempts: int) -> timedelta:
    """Exponential back-off after the `attempts`-th failed attempt: 1, 2, 4, 8… minutes."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


class OutboundMessage(Base):
    __tablename__ = "outbound_message"
    __table_args__ = (Index("ix_outbound_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[MessageChannel] = mapped_column(
        Enum(MessageChannel, native_enum=False, length=8)
    )
    event: Mapped[str] = mapped_column(String(50))
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, native_enum=False, length=8), default=MessageStatus.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("client.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Who carried it: "smtp", "sms-http", "sms-dev" (recorded only, nothing left the machine).
    delivered_via: Mapped[str | None] = mapped_column(String(20))
    provider_message_id: Mapped[str | None] = mapped_column(String(100))

    @property
    def is_dev_only(self) -> bool:
        return self.delivered_via == "sms-dev"

    def delivered(self, via: str, provider_message_id: str | None, now: datetime) -> None:
        """Sent: an earlier attempt's error no longer describes it (`attempts` still tells how
        many tries it took)."""
        self.status = MessageStatus.sent
        self.last_error = None
        self.sent_at = now
        self.delivered_via = via
        self.provider_message_id = (provider_message_id or "")[:100] or None

    def attempt_failed(self, reason: str, now: datetime, max_attempts: int) -> None:
        """The `attempts`-th try failed: retry after the back-off, or give up after the last."""
        self.last_error = reason
        if self.attempts >= max_attempts:
            self.status = MessageStatus.failed
        else:
            self.next_attempt_at = now + retry_delay(self.attempts)

    def can_resend(self) -> bool:
        return self.status == MessageStatus.failed

    def resend(self, now: datetime) -> None:
        """Put a message that was given up on back in the queue with a fresh set of retries."""
        if not self.can_resend():
            raise MessageNotResendable("Повторно отправить можно только неотправленное сообщение")
        self.status = MessageStatus.pending
        self.attempts = 0
        self.next_attempt_at = now


class Audience(enum.StrEnum):
    client = "client"  # the buyer: email and SMS, only with consent
    staff = "staff"  # employees: in-app and email


class NotificationTemplate(Base):
    """The text of one event for one audience on one channel, in Russian, editable by an admin.

    Rows exist only for texts an admin changed; the defaults are declared with each event
    (engine/<area>/events.py, see engine/notifications/catalog.py)."""

    __tablename__ = "notification_template"
    __table_args__ = (
        UniqueConstraint("event", "audience", "channel", name="uq_notification_template_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(50))
    audience: Mapped[str] = mapped_column(String(8), default=Audience.client.value)
    channel: Mapped[str] = mapped_column(String(8))  # email / sms / in_app
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
