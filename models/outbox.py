"""Outbound notifications: every message is an outbox row first, sent by Celery with retries."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class MessageChannel(enum.StrEnum):
    email = "email"
    sms = "sms"


class MessageStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"  # gave up after the last retry; can be resent by hand


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


class NotificationTemplate(Base):
    """The text of one event on one channel, in Russian, editable by an admin."""

    __tablename__ = "notification_template"
    __table_args__ = (UniqueConstraint("event", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(String(50))
    channel: Mapped[str] = mapped_column(String(8))  # email / sms / in_app
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
