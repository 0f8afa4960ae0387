"""The client's history: interactions (события) and planned contacts (задачи)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.errors import DomainError


class InteractionKind(enum.StrEnum):
    call = "call"
    meeting = "meeting"
    visit = "visit"
    email = "email"
    message = "message"
    system = "system"  # made by a process: reservation made, expired, online request…


INTERACTION_LABELS = {
    InteractionKind.call: "Звонок",
    InteractionKind.meeting: "Встреча",
    InteractionKind.visit: "Визит в офис",
    InteractionKind.email: "Письмо",
    InteractionKind.message: "Сообщение",
    InteractionKind.system: "Событие системы",
}


class Interaction(Base):
    __tablename__ = "interaction"
    __table_args__ = (Index("ix_interaction_client_at", "client_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    kind: Mapped[InteractionKind] = mapped_column(
        Enum(InteractionKind, native_enum=False, length=16)
    )
    direction: Mapped[str | None] = mapped_column(String(3))  # in / out
    summary: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    link: Mapped[str | None] = mapped_column(String(300))  # what it concerns: /reservations/12

    client = relationship("Client")
    user = relationship("User")


class TaskError(DomainError):
    pass


class CrmTask(Base):
    """A planned contact with a client: who, what, by when, and the result when done."""

    __tablename__ = "crm_task"
    __table_args__ = (
        Index("ix_crm_task_owner_open", "owner_id", "done_at", "due_at"),
        Index("ix_crm_task_client", "client_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[InteractionKind] = mapped_column(
        Enum(InteractionKind, native_enum=False, length=16), default=InteractionKind.call
    )
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(Text)

    client = relationship("Client")
    owner = relationship("User", foreign_keys=[owner_id])

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at < now

    def complete(self, result: str, now: datetime) -> Interaction:
        """Done with a result; the contact itself becomes an interaction on the timeline."""
        if not self.is_open:
            raise TaskError("Задача уже выполнена")
        if not (result or "").strip():
            raise TaskError("Опишите результат", field="result")
        self.done_at = now
        self.result = result.strip()
        return Interaction(
            client_id=self.client_id,
            kind=self.kind,
            summary=self.title,
            body=self.result,
            at=now,
            user_id=self.owner_id,
            link=f"/crm/tasks/{self.id}",
        )
