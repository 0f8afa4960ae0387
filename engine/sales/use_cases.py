"""Reservation use cases shared by the office UI and the online API.

Every verb on a reservation first asks `Reservation.require_handler`: a sales manager handles
their own reservations and unassigned ones, management all (the web, the API, the demo alike).

Each call only flushes; the caller commits, or rolls back on a ReservationError so that a
refused attempt writes nothing. The BPMN (processes/reservation.bpmn) decides the order of
the steps; these functions start it or deliver its messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from engine.clients import use_cases as clients
from engine.core import runtime
from engine.sales.actions import RESERVATION_PROCESS, client_limit, project_of
from models.catalog.objects import Premise, PremiseStatus
from models.clients.client import Client
from models.db import txcache
from models.db.base import utcnow
from models.db.errors import NotFound
from models.db.numbers import money_text
from models.process.instance import (
    ProcessBusinessKey,
    ProcessEvent,
    ProcessEventKind,
    ProcessInstance,
    ProcessStatus,
)
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import (
    Actor,
    Channel,
    ClientLimitReached,
    OnlineStore,
    PremiseUnavailable,
    Reservation,
    ReservationError,
    ReservationStatus,
)
from models.settings.store import get_setting
from models.users.user import User

EVENT = "reservation_event"
DEAL_STATUSES = frozenset({PremiseStatus.in_deal, PremiseStatus.sold})


@dataclass(frozen=True)
class ReservationOutcome:
    """What a reservation use case did: the reservation it made or changed, and the process
    instance it started, if any. `approval_requested`: the head of sales decides first (the
    reservation, if there is one yet, is unchanged until then)."""

    reservation: Reservation | None
    instance: ProcessInstance | None = None
    approval_requested: bool = False


def reserve(
    session: Session,
    premise_id: int,
    client: Client,
    *,
    channel: Channel,
    user: User | None,
    paid: bool = False,
    request_approval: bool = False,
    api_key_id: int | None = None,
) -> ReservationOutcome:
    """Reserve now, or — offline, over the client's limit, when asked — request approval
    (the outcome then holds the waiting process instance and no reservation yet)."""
    premise = txcache.locked(session, Premise, premise_id)  # the action reuses the lock
    if premise is None:
        raise NotFound("Помещение не найдено")
    Reservation.require_free(premise)
    if user is not None:
        Reservation.require_client_served_by(client, user)
    over_limit = False
    if channel != Channel.online:
        # Offline, the head of sales may allow a reservation over the limit: the process is
        # told now. Online there is no such way: the process's own check, made under the
        # client's lock, refuses, and the caller rolls back.
        limit = client_limit(session, premise, client.id)
        over_limit = not limit.can_reserve_another()
        limit.reserve_another(channel, approved=request_approval)
    instance = runtime.start(
        session,
        RESERVATION_PROCESS,
        data={
            "premise_number": premise.number,
            "client_name": client.full_name,
            "channel": channel.value,
            "paid": paid,
            "manager_id": user.id if user else None,
            "over_limit": over_limit,
            "from_queue": False,
            "queue_entry_id": None,
            "api_key_id": api_key_id,
        },
        business_keys={"premise_id": premise.id, "client_id": client.id},
        user=user,
        title=f"№ {premise.number}, {client.full_name}",
    )
    if over_limit:
        return ReservationOutcome(None, instance, approval_requested=True)
    reservation_id = (instance.business_keys or {}).get("reservation_id")
    if reservation_id is None:
        raise _refusal(session, instance)
    return ReservationOutcome(session.get(Reservation, reservation_id), instance)


def book(
    session: Session,
    premise_id: int,
    *,
    full_name: str,
    phone: str,
    email: str | None,
    api_key_id: int | None,
) -> ReservationOutcome:
    """An online booking: the client found by phone (or added) with the consent, then the
    reservation; only flushes. Raises ReservationError or NotFound: the caller rolls back, so
    nothing of it stays, not even a new client card."""
    client = clients.find_or_create(
        session,
        full_name=full_name,
        phone=phone,
        email=email,
        consent=True,
        channel=Channel.online.value,
        taken_by_id=None,
    )
    return reserve(
        session, premise_id, client, channel=Channel.online, user=None, api_key_id=api_key_id
    )


def _refusal(session: Session, instance: ProcessInstance) -> ReservationError:
    event = session.scalars(
        select(ProcessEvent)
        .where(
            ProcessEvent.instance_id == instance.id,
            ProcessEvent.kind.in_([ProcessEventKind.bpmn_error, ProcessEventKind.error]),
        )
        .order_by(ProcessEvent.id.desc())
    ).first()
    code = (event.data or {}).get("code") if event else None
    message = event.message if event else "Бронь поставить не удалось"
    if code == "client_limit_reached":
        return ClientLimitReached(message)
    if code == "premise_unavailable":
        return PremiseUnavailable(message)
    return ReservationError(
        "reservation_failed", "Бронь поставить не удалось из-за сбоя; попробуйте ещё раз"
    )


def _deliver(session: Session, reservation: Reservation, actor: Actor, **payload) -> None:
    user = None if isinstance(actor, OnlineStore) else actor
    runtime.send_message(
        session,
        EVENT,
        "reservation_id",
        reservation.id,
        {**payload, "user_id": user.id if user else None},
        user=user,
    )


def extend(
    session: Session, reservation: Reservation, until: datetime, user: User
) -> ReservationOutcome:
    """Within the maximum term the manager extends; beyond it the head of sales approves."""
    reservation.require_handler(user)
    project_id = _project(reservation)
    max_term = get_setting(session, "reservation.max_term", project_id)
    reservation.require_extendable(
        until, get_setting(session, "reservation.approved_max_term", project_id)
    )
    if not reservation.can_extend_alone(until, max_term, user):
        return _request_change(session, reservation, user, "extend", until=until.isoformat())
    _deliver(session, reservation, user, outcome="extended", until=until.isoformat())
    return ReservationOutcome(reservation)


def pay(session: Session, reservation: Reservation, fee, user: User) -> ReservationOutcome:
    reservation.require_handler(user)
    fee = str(fee) if fee is not None else None  # none given: the project's fee
    _deliver(session, reservation, user, outcome="paid", fee=fee)
    return ReservationOutcome(reservation)


def cancel(
    session: Session, reservation: Reservation, reason: str, actor: Actor
) -> ReservationOutcome:
    """A free reservation is cancelled at once; a paid one needs the head of sales
    (`Reservation.can_cancel_alone`: the online store, ONLINE_STORE, cancels its own)."""
    reservation.require_handler(actor)
    reservation.require_active()
    reservation.require_cancel_reason(reason)
    if not reservation.can_cancel_alone(actor):
        return _request_change(session, reservation, actor, "cancel", reason=reason)
    _deliver(session, reservation, actor, outcome="cancelled", reason=reason)
    return ReservationOutcome(reservation)


def convert(session: Session, reservation: Reservation, user: User) -> ReservationOutcome:
    reservation.require_handler(user)
    _deliver(session, reservation, user, outcome="converted")
    return ReservationOutcome(reservation)


CHANGE_PROCESS = "reservation_change"


def _request_change(
    session, reservation: Reservation, user: User, change: str, **data
) -> ReservationOutcome:
    waiting = session.scalar(
        select(func.count())
        .select_from(ProcessInstance)
        .join(ProcessBusinessKey)
        .where(
            ProcessInstance.process_id == CHANGE_PROCESS,
            ProcessInstance.status == ProcessStatus.waiting,
            ProcessBusinessKey.name == "reservation_id",
            ProcessBusinessKey.value == str(reservation.id),
        )
    )
    if waiting:
        raise ReservationError("already_requested", "Согласование по этой брони уже запрошено")
    zone = ZoneInfo(reservation.premise.building.time_zone)
    instance = runtime.start(
        session,
        CHANGE_PROCESS,
        data={
            "change": change,
            "change_label": _change_label(change, data, reservation.premise.building.time_zone),
            "expires_at_text": f"{reservation.expires_at.astimezone(zone):%d.%m.%Y %H:%M}",
            "paid_text": f", оплачена ({money_text(reservation.fee)} ₽)"
            if reservation.is_paid
            else ", не оплачена",
            "fixed_price": str(reservation.fixed_price),
            "premise_number": reservation.premise.number,
            "premise_title": reservation.premise.title_accusative,
            "client_name": reservation.client.full_name,
            "expires_at": reservation.expires_at.isoformat(),
            "until": data.get("until"),
            "reason": data.get("reason", ""),
        },
        business_keys={"reservation_id": reservation.id, "premise_id": reservation.premise_id},
        user=user,
        title=f"бронь {reservation.id}, № {reservation.premise.number}",
    )
    return ReservationOutcome(reservation, instance, approval_requested=True)


def _change_label(change: str, data: dict, time_zone: str) -> str:
    """What the head of sales is asked, in words; a time in the project's zone."""
    if change == "extend":
        until = datetime.fromisoformat(data["until"]).astimezone(ZoneInfo(time_zone))
        return f"продлить до {until:%d.%m.%Y %H:%M} (сверх максимального срока)"
    return f"снять оплаченную бронь — {data['reason']}"


def _project(reservation: Reservation) -> int:
    return project_of(object_session(reservation), reservation.premise)


# ------------------------------------------------------------------ the offline queue


def enqueue(session: Session, premise_id: int, client: Client, user: User) -> QueueEntry:
    premise = session.get(Premise, premise_id, with_for_update=True)
    if premise is None:
        raise NotFound("Помещение не найдено")
    Reservation.require_client_served_by(client, user)
    holder = session.scalar(
        select(Reservation.client_id).where(
            Reservation.premise_id == premise.id, Reservation.status == ReservationStatus.active
        )
    )
    entry = QueueEntry.join(
        premise,
        client.id,
        holder_id=holder,
        waiting=waiting_entries(session, premise.id),
        manager_id=user.id,
        now=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def deal_reservation(session: Session, premise: Premise) -> Reservation | None:
    """The reservation a premise in a deal (оформление) or sold went into the deal from: its
    client is the buyer. None for a premise not in a deal."""
    if premise.status not in DEAL_STATUSES:
        return None
    return session.scalars(
        select(Reservation)
        .where(
            Reservation.premise_id == premise.id,
            Reservation.status == ReservationStatus.converted,
        )
        .order_by(Reservation.ended_at.desc(), Reservation.id.desc())
        .limit(1)
    ).first()


def waiting_entries(session: Session, premise_id: int) -> list[QueueEntry]:
    return list(
        session.scalars(
            select(QueueEntry)
            .where(QueueEntry.premise_id == premise_id, QueueEntry.status == QueueStatus.waiting)
            .order_by(QueueEntry.position, QueueEntry.id)
        )
    )


def remove_from_queue(session: Session, entry: QueueEntry, user: User) -> None:
    entry.remove(user, now=utcnow())
    session.flush()


def move_in_queue(session: Session, entry: QueueEntry, step: int, user: User) -> None:
    """Reordering needs the head of sales (QueueEntry.can_move)."""
    entry.move(waiting_entries(session, entry.premise_id), step, user)
    session.flush()
