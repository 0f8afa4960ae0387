"""Reservations (резерв, бронь) and their history; the queue is `models.sales.queue`."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.catalog.objects import Premise, PremiseStatus, price_per_m2
from models.db.base import Base, Money, UTCDateTime, append_unloaded, enum_column, utcnow
from models.db.errors import DomainError
from models.users.user import Role, User


class ReservationError(DomainError):
    """A reservation rule was broken; `code` (given per rule) is the API's error code."""

    status = 409

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(message, field=field)
        self.code = code


class PremiseUnavailable(ReservationError):
    def __init__(self, message: str):
        super().__init__("premise_unavailable", message)


class ClientLimitReached(ReservationError):
    def __init__(self, message: str):
        super().__init__("client_limit_reached", message)


class NotYourReservation(ReservationError):
    """Another manager's reservation: seen by everyone at the desk, handled by its own manager
    and by management (`Reservation.can_be_handled_by`)."""

    status = 403

    def __init__(self, reservation: Reservation):
        super().__init__(
            "not_your_reservation",
            f"Бронь помещения № {reservation.premise.number} ведёт другой менеджер: "
            "её продлевает, оплачивает, снимает и переводит в сделку он или руководитель "
            "отдела продаж",
        )


class NotYourClient(ReservationError):
    """A client another manager leads: a sales manager neither reserves nor queues for them
    (`Reservation.require_client_served_by`); the client's own manager or management do."""

    status = 403

    def __init__(self, client):
        who = client.manager.display_name if client.manager is not None else "другой менеджер"
        super().__init__(
            "not_your_client",
            f"Клиента «{client.full_name}» ведёт {who}: бронь и место в очереди для него "
            "оформляет его менеджер или руководитель отдела продаж",
            field="phone",
        )


class OnlineStore:
    """The online store acting through its API key, where an employee would be a User: it may
    cancel the reservations it made, paid or not (the customer paid in the store)."""

    def __repr__(self) -> str:
        return "ONLINE_STORE"


ONLINE_STORE = OnlineStore()
Actor = User | OnlineStore


def manages_sales(actor: Actor) -> bool:
    """The head of sales (or an admin) decides alone what a manager must ask them for."""
    return isinstance(actor, User) and actor.is_management


@dataclass(frozen=True)
class ClientLimit:
    """The client's limit of active reservations (setting reservation.max_per_client).

    `active` must be counted under the client's row lock wherever the answer is final (the
    process's reserve_premise action), so two bookings at once cannot both pass it."""

    limit: int
    active: int

    def can_reserve_another(self) -> bool:
        return self.active < self.limit

    def reserve_another(self, channel: Channel, *, approved: bool = False) -> None:
        """Refuse one more reservation over the limit, unless the head of sales approved it."""
        if not approved and not self.can_reserve_another():
            raise ClientLimitReached(self.message(channel))

    def message(self, channel: Channel) -> str:
        text = f"У клиента уже {self.limit} активных брони — это предел"
        if channel == Channel.online:
            return text
        return text + "; можно запросить согласование руководителя"


class ReservationStatus(enum.StrEnum):
    active = "active"
    converted = "converted"
    expired = "expired"
    cancelled = "cancelled"


class Channel(enum.StrEnum):
    online = "online"
    offline = "offline"


RESERVATION_STATUS_LABELS = {
    ReservationStatus.active: "Действует",
    ReservationStatus.converted: "Сделка",
    ReservationStatus.expired: "Истекла",
    ReservationStatus.cancelled: "Снята",
}
CHANNEL_LABELS = {Channel.online: "Онлайн", Channel.offline: "Офис"}


class Reservation(Base):
    __tablename__ = "reservation"
    __table_args__ = (
        # At most one active reservation per premise, ever: the database itself says so.
        Index(
            "uq_reservation_active_premise",
            "premise_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_reservation_client_status", "client_id", "status"),
        Index("ix_reservation_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    premise_id: Mapped[int] = mapped_column(ForeignKey("premise.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("client.id"))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, 20))
    status: Mapped[ReservationStatus] = mapped_column(
        enum_column(ReservationStatus, 20), default=ReservationStatus.active
    )
    is_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    fee: Mapped[Decimal | None] = mapped_column(Money)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    fixed_price: Mapped[Decimal] = mapped_column(Money)
    fixed_price_per_m2: Mapped[Decimal] = mapped_column(Money)
    fixed_discounts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    from_queue: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    premise: Mapped[Premise] = relationship()
    client = relationship("Client")
    manager = relationship("User")
    events: Mapped[list[ReservationEvent]] = relationship(
        back_populates="reservation", order_by="ReservationEvent.id", cascade="all, delete-orphan"
    )

    @classmethod
    def take(
        cls,
        premise: Premise,
        client,
        *,
        channel: Channel,
        term: timedelta,
        manager_id: int | None,
        now: datetime,
        paid: bool = False,
        from_queue: bool = False,
        api_key_id: int | None = None,
    ) -> Reservation:
        """Reserve `premise` (locked by the caller) for `client`, fixing today's price."""
        cls.require_free(premise)
        premise.change_status(
            PremiseStatus.paid_reservation if paid else PremiseStatus.reserved,
            by_user_id=manager_id,
            source="reservation",
        )
        reservation = cls(
            premise=premise,
            client=client,
            manager_id=manager_id,
            channel=channel,
            status=ReservationStatus.active,
            is_paid=paid,
            starts_at=now,
            expires_at=now + term,
            fixed_price=premise.price,
            fixed_price_per_m2=price_per_m2(premise.price, premise.total_area),
            fixed_discounts=[],
            from_queue=from_queue,
            api_key_id=api_key_id,
            created_at=now,
        )
        reservation.record("created", manager_id, {"expires_at": reservation.expires_at}, now)
        return reservation

    @staticmethod
    def require_free(premise: Premise) -> None:
        """The premise is free (Premise.can_reserve), or PremiseUnavailable."""
        if not premise.can_reserve():
            raise PremiseUnavailable(f"Помещение № {premise.number} уже не свободно")

    @property
    def is_active(self) -> bool:
        return self.status == ReservationStatus.active

    @property
    def status_label(self) -> str:
        return RESERVATION_STATUS_LABELS[self.status]

    def can_be_handled_by(self, actor: Actor) -> bool:
        """Who extends, pays, cancels or converts it: the head of sales and the admin any; a
        sales manager their own and one nobody manages (an online booking); the online store
        only what it booked itself (the API also checks that it was this key: web/api). The
        same rule as a client card's (`Client.can_edit`)."""
        if actor is ONLINE_STORE:
            return self.api_key_id is not None
        if manages_sales(actor):
            return True
        return actor.role == Role.sales_manager and self.manager_id in (None, actor.id)

    @staticmethod
    def require_client_served_by(client, actor: Actor) -> None:
        """Reserve or queue for a client: management for anyone; a sales manager for their own
        clients and those nobody leads yet (the client card's rule, `Client.can_edit`); the
        online store books for whoever its buyer is (their manager follows it up)."""
        if actor is ONLINE_STORE or manages_sales(actor):
            return
        if client.manager_id not in (None, actor.id):
            raise NotYourClient(client)

    def require_handler(self, actor: Actor) -> None:
        """Refuse, with NotYourReservation (403), whoever `can_be_handled_by` refuses."""
        if not self.can_be_handled_by(actor):
            raise NotYourReservation(self)

    def can_extend(self, until: datetime) -> bool:
        """A new term must be later than the current one."""
        return self.is_active and until > self.expires_at

    def require_extendable(self, until: datetime, limit: timedelta | None = None) -> None:
        """Refuse an extension to `until` that `can_extend` does not allow, or (given the
        project's `limit`, the term no approval goes beyond) one past `starts_at + limit`."""
        self.require_active()
        if not self.can_extend(until):
            raise ReservationError(
                "bad_term", "Новый срок должен быть позже текущего", field="until"
            )
        if limit is not None and until > self.starts_at + limit:
            raise ReservationError(
                "term_too_long",
                f"Бронь нельзя продлить больше чем на {limit.days} дн. от её начала: "
                "это предельный срок, даже с согласованием руководителя",
                field="until",
            )

    def can_extend_alone(self, until: datetime, max_term: timedelta, actor: Actor) -> bool:
        """Within the maximum term a manager extends alone; beyond it the head of sales."""
        within = until <= self.starts_at + max_term
        return self.can_extend(until) and (within or manages_sales(actor))

    def extend(self, until: datetime, *, by_user_id: int | None, now: datetime) -> None:
        self.require_extendable(until)
        self.record("extended", by_user_id, {"from": self.expires_at, "to": until}, now)
        self.expires_at = until

    def register_payment(
        self, fee: Decimal, *, term: timedelta, by_user_id: int | None, now: datetime
    ) -> None:
        self.require_active()
        if self.is_paid:
            raise ReservationError("already_paid", "Бронь уже оплачена")
        if fee <= 0:
            raise ReservationError("bad_fee", "Сумма оплаты должна быть больше нуля", "fee")
        self.premise.change_status(
            PremiseStatus.paid_reservation, by_user_id=by_user_id, source="reservation"
        )
        self.is_paid = True
        self.fee = fee
        self.paid_at = now
        self.expires_at = max(self.expires_at, now + term)
        self.record("paid", by_user_id, {"fee": fee, "expires_at": self.expires_at}, now)

    def can_cancel_alone(self, actor: Actor) -> bool:
        """A free reservation is cancelled by its manager; a paid one needs the head of sales'
        approval, unless the head of sales cancels it, or the online store that took it."""
        if not self.is_active:
            return False
        return not self.is_paid or actor is ONLINE_STORE or manages_sales(actor)

    @staticmethod
    def require_cancel_reason(reason: str) -> None:
        """Whoever lifts a reservation says why: the client's history and the head of sales
        read it."""
        if not (reason or "").strip():
            raise ReservationError(
                "reason_required", "Укажите причину снятия брони", field="reason"
            )

    def end(
        self, status: ReservationStatus, *, by_user_id: int | None, now: datetime, reason: str = ""
    ) -> None:
        """Expire or cancel (the premise is free again) or convert (the deal begins)."""
        self.require_active()
        self.status = status
        self.ended_at = now
        self.end_reason = reason
        target = (
            PremiseStatus.in_deal
            if status == ReservationStatus.converted
            else PremiseStatus.available
        )
        self.premise.change_status(target, by_user_id=by_user_id, source="reservation")
        self.record(status.value, by_user_id, {"reason": reason} if reason else {}, now)

    def confirm(self, *, by_user_id: int | None, now: datetime) -> None:
        self.require_active()
        self.confirmed_at = now
        self.record("confirmed", by_user_id, {}, now)

    def record(self, kind: str, user_id: int | None, data: dict, now: datetime) -> None:
        plain = {k: (v.isoformat() if isinstance(v, datetime) else str(v)) for k, v in data.items()}
        line = ReservationEvent(kind=kind, user_id=user_id, data=plain, at=now)
        append_unloaded(self, "events", line)

    def require_active(self) -> None:
        if not self.is_active:
            raise ReservationError("not_active", f"Бронь уже не действует: «{self.status_label}»")


class ReservationEvent(Base):
    """Append-only history of a reservation."""

    __tablename__ = "reservation_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    reservation_id: Mapped[int] = mapped_column(ForeignKey("reservation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    reservation: Mapped[Reservation] = relationship(back_populates="events")
    user = relationship("User")


EVENT_LABELS = {
    "created": "Бронь поставлена",
    "confirmed": "Бронь из очереди подтверждена",
    "extended": "Бронь продлена",
    "paid": "Бронь оплачена",
    "reminded": "Напоминание о сроке",
    "expired": "Бронь истекла",
    "cancelled": "Бронь снята",
    "converted": "Переход к сделке",
}
