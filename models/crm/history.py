"""The client's history: interactions (события) and planned contacts (задачи)."""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.db.base import Base, UTCDateTime, utcnow
from models.db.errors import DomainError
from models.users.user import Role


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
# What a manager logs or plans by hand; `system` entries are written by processes only.
MANUAL_KINDS = tuple(k for k in InteractionKind if k != InteractionKind.system)
DIRECTION_LABELS = {"in": "входящий", "out": "исходящий"}
# Who works with clients' histories (management also hands tasks out: CrmTask.can_hand_out).
SALES_ROLES = frozenset({Role.admin, Role.head_of_sales, Role.sales_manager, Role.mortgage_broker})
MAX_SUMMARY, MAX_BODY = 300, 5000
CLOCK_SKEW = timedelta(minutes=5)  # "now" typed on a slow clock is not "in the future"


class InteractionError(DomainError):
    pass


def require_workable_client(client) -> None:
    """Events and tasks are written on a live card, never on one merged into another."""
    if client.merged_into_id is not None:
        raise InteractionError(
            f"Карточка «{client.full_name}» объединена с карточкой № {client.merged_into_id}: "
            "события и задачи ведутся там",
            field="client",
        )


def manual_kind(value) -> InteractionKind:
    try:
        kind = InteractionKind(value)
    except ValueError:
        kind = None
    if kind not in MANUAL_KINDS:
        raise InteractionError(
            "Выберите вид: звонок, встреча, визит в офис, письмо или сообщение", field="kind"
        )
    return kind


def _text(value: str | None, limit: int, field: str, missing: str | None) -> str:
    cleaned = (value or "").strip()
    if missing and not cleaned:
        raise InteractionError(missing, field=field)
    if len(cleaned) > limit:
        raise InteractionError(f"Не длиннее {limit} символов", field=field)
    return cleaned


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

    @classmethod
    def log(
        cls,
        client,
        *,
        kind,
        direction: str | None,
        summary: str | None,
        body: str | None,
        at: datetime | None,
        user_id: int | None,
        now: datetime,
    ) -> Interaction:
        """A contact a manager records by hand: a call, a meeting, a visit, a letter…"""
        require_workable_client(client)
        kind = manual_kind(kind)
        direction = (direction or "").strip() or None
        if direction is not None and direction not in DIRECTION_LABELS:
            raise InteractionError("Направление: входящий или исходящий", field="direction")
        summary = _text(summary, MAX_SUMMARY, "summary", "Кратко опишите, о чём был контакт")
        body = _text(body, MAX_BODY, "body", None)
        at = at or now
        if at > now + CLOCK_SKEW:
            raise InteractionError(
                "Событие не может быть в будущем: будущий контакт — это задача", field="at"
            )
        return cls(
            client_id=client.id,
            kind=kind,
            direction=direction,
            summary=summary,
            body=body,
            at=at,
            user_id=user_id,
        )

    @property
    def kind_label(self) -> str:
        return INTERACTION_LABELS[self.kind]


class TaskError(InteractionError):
    pass


class CrmTask(Base):
    """A planned contact with a client: who, what, by when, and the result when done."""

    __tablename__ = "crm_task"
    __table_args__ = (
        Index("ix_crm_task_owner_open", "owner_id", "done_at", "due_at"),
        Index("ix_crm_task_client", "client_id", "due_at"),
        # engine.tick looks for open tasks not yet reminded, by due time.
        Index(
            "ix_crm_task_to_remind",
            "due_at",
            postgresql_where=text("done_at IS NULL AND reminded_at IS NULL"),
            sqlite_where=text("done_at IS NULL AND reminded_at IS NULL"),
        ),
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

    @classmethod
    def plan(
        cls,
        client,
        *,
        owner,
        by,
        title: str | None,
        kind,
        due_at: datetime | None,
        now: datetime,
        allow_past: bool = False,
    ) -> CrmTask:
        """A planned contact. The owner is `by` unless a head of sales hands it to someone."""
        require_workable_client(client)
        title = _text(title, MAX_SUMMARY, "title", "Напишите, что нужно сделать")
        kind = manual_kind(kind)
        _check_owner(owner, by)
        due_at = _check_due(due_at, now, allow_past)
        return cls(
            client_id=client.id,
            owner_id=owner.id,
            title=title,
            kind=kind,
            due_at=due_at,
            created_at=now,
            created_by_id=by.id,
            # Written after the fact, it is late already: highlighted, not reminded.
            reminded_at=now if due_at <= now else None,
        )

    @property
    def is_open(self) -> bool:
        return self.done_at is None

    @property
    def kind_label(self) -> str:
        return INTERACTION_LABELS[self.kind]

    @staticmethod
    def can_hand_out(user) -> bool:
        """Plan a task for another employee or give one to them: management."""
        return user.is_management

    def can_complete(self, user) -> bool:
        """The owner finishes their task; management may finish anyone's."""
        return self.is_open and (user.id == self.owner_id or user.is_management)

    can_reschedule = can_complete

    def reschedule(self, due_at: datetime | None, now: datetime, *, owner=None, by) -> None:
        """A new due time (in the future) and, from a head of sales, possibly a new owner."""
        if not self.is_open:
            raise TaskError("Задача уже выполнена: перенести её нельзя")
        if due_at is None or due_at <= now:
            raise TaskError("Новый срок должен быть в будущем", field="due_at")
        if owner is not None and owner.id != self.owner_id:
            _check_owner(owner, by)
            self.owner_id = owner.id
        self.due_at = due_at
        self.reminded_at = None  # remind again before the new due time

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


def _check_owner(owner, by) -> None:
    if owner is None or not owner.is_active or owner.role not in SALES_ROLES:
        raise TaskError("Задачу можно поручить только сотруднику отдела продаж", field="owner_id")
    if owner.id != by.id and not CrmTask.can_hand_out(by):
        raise TaskError(
            "Поручить задачу другому сотруднику может только руководитель отдела продаж",
            field="owner_id",
        )


def _check_due(due_at: datetime | None, now: datetime, allow_past: bool) -> datetime:
    if due_at is None:
        raise TaskError("Укажите срок: дату и время", field="due_at")
    if due_at < now - CLOCK_SKEW and not allow_past:
        raise TaskError(
            "Срок уже прошёл. Если задача записывается задним числом, отметьте «срок в прошлом»",
            field="due_at",
        )
    return due_at
