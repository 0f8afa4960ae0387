"""The offline queue behind a premise: a client's place, and who may join, move, remove or
promote it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.catalog.objects import Premise, PremiseStatus
from models.db.base import Base, UTCDateTime, enum_column, utcnow
from models.sales.reservation import ReservationError, manages_sales
from models.users.user import User


class QueueStatus(enum.StrEnum):
    waiting = "waiting"
    promoted = "promoted"
    removed = "removed"


class QueueEntry(Base):
    """A client's place in the offline queue for a premise."""

    __tablename__ = "queue_entry"
    __table_args__ = (
        Index(
            "uq_queue_waiting_client",
            "premise_id",
            "client_id",
            unique=True,
            postgresql_where=text("status = 'waiting'"),
            sqlite_where=text("status = 'waiting'"),
        ),
        Index("ix_queue_premise_status_position", "premise_id", "status", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    position: Mapped[int] = mapped_column(Integer)
    status: Mapped[QueueStatus] = mapped_column(
        enum_column(QueueStatus, 20), default=QueueStatus.waiting
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reservation_id: Mapped[int | None] = mapped_column(ForeignKey("reservation.id"))

    premise: Mapped[Premise] = relationship()
    client = relationship("Client")
    manager = relationship("User")

    # The queue's rules. `waiting` is the premise's waiting entries in their order (a locked
    # read by the caller); positions are 1, 2, 3… in that order.

    @classmethod
    def can_join(
        cls, premise: Premise, client_id: int, *, holder_id: int | None, waiting: list[QueueEntry]
    ) -> bool:
        """A client may queue for a taken premise they do not hold and are not queued for."""
        return cls._join_refusal(premise, client_id, holder_id, waiting) is None

    @classmethod
    def join(
        cls,
        premise: Premise,
        client_id: int,
        *,
        holder_id: int | None,
        waiting: list[QueueEntry],
        manager_id: int | None,
        now: datetime,
    ) -> QueueEntry:
        """The client's new place at the end of the queue; refused as `can_join` says."""
        refusal = cls._join_refusal(premise, client_id, holder_id, waiting)
        if refusal is not None:
            raise refusal
        return cls(
            premise_id=premise.id,
            client_id=client_id,
            manager_id=manager_id,
            position=max((entry.position for entry in waiting), default=0) + 1,
            created_at=now,
        )

    @staticmethod
    def _join_refusal(premise, client_id, holder_id, waiting) -> ReservationError | None:
        if premise.can_reserve():
            return ReservationError(
                "premise_free", "Помещение свободно: поставьте бронь, а не очередь"
            )
        if premise.status in (PremiseStatus.sold, PremiseStatus.not_for_sale):
            return ReservationError("premise_closed", "На это помещение очередь не ведётся")
        if holder_id == client_id:
            return ReservationError("already_holder", "У клиента уже есть бронь этого помещения")
        if any(entry.client_id == client_id for entry in waiting):
            return ReservationError("already_queued", "Клиент уже стоит в очереди на это помещение")
        return None

    @property
    def is_waiting(self) -> bool:
        return self.status == QueueStatus.waiting

    def can_remove(self, user: User) -> bool:
        """The client's own manager or the head of sales takes a waiting client off the queue."""
        return self.is_waiting and (manages_sales(user) or self.manager_id == user.id)

    def remove(self, user: User, *, now: datetime) -> None:
        self._require_waiting()
        if not self.can_remove(user):
            raise ReservationError(
                "not_yours", "Убрать из очереди может свой менеджер или руководитель"
            )
        self._end(QueueStatus.removed, now)

    def can_move(self, user: User) -> bool:
        """Reordering the queue needs the head of sales."""
        return self.is_waiting and manages_sales(user)

    def move(self, waiting: list[QueueEntry], step: int, user: User) -> None:
        """Move this entry `step` places (-1: up, 1: down) in `waiting`; at an end, nothing."""
        if not manages_sales(user):
            raise ReservationError(
                "forbidden", "Менять порядок очереди может руководитель отдела продаж"
            )
        index = next((i for i, entry in enumerate(waiting) if entry.id == self.id), None)
        if index is None or not self.can_move(user):
            raise ReservationError("not_waiting", "Клиент уже не стоит в очереди")
        target = index + step
        if not 0 <= target < len(waiting):
            return
        order = list(waiting)
        order[index], order[target] = order[target], order[index]
        for position, entry in enumerate(order, start=1):
            entry.position = position

    def can_promote(self) -> bool:
        """A freed premise goes to a client still waiting (the head of the queue's order)."""
        return self.is_waiting

    def promote(self, *, now: datetime) -> None:
        self._require_waiting()
        self._end(QueueStatus.promoted, now)

    def drop_as_duplicate(self, *, now: datetime) -> None:
        """A client waits once per premise: of two places met by merging their cards, the
        worse one is closed as removed (the merge's own right, not a manager's)."""
        self._require_waiting()
        self._end(QueueStatus.removed, now)

    def _require_waiting(self) -> None:
        if not self.is_waiting:
            raise ReservationError("not_waiting", "Клиент уже не стоит в очереди")

    def _end(self, status: QueueStatus, now: datetime) -> None:
        self.status = status
        self.ended_at = now
