"""Reservation use cases shared by the office UI and the online API.

Each call only flushes; the caller commits, or rolls back on a ReservationError so that a
refused attempt writes nothing. The BPMN (processes/reservation.bpmn) decides the order of
the steps; these functions start it or deliver its messages.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from engine.core import runtime
from engine.sales.actions import (
    RESERVATION_PROCESS,
    active_count,
    limit_message,
    project_of,
)
from models.catalog.objects import Premise, PremiseStatus
from models.clients.client import Client
from models.db import txcache
from models.db.base import utcnow
from models.db.errors import NotFound
from models.process.instance import (
    ProcessBusinessKey,
    ProcessEvent,
    ProcessEventKind,
    ProcessInstance,
    ProcessStatus,
)
from models.sales.reservation import (
    Channel,
    ClientLimitReached,
    PremiseUnavailable,
    QueueEntry,
    QueueStatus,
    Reservation,
    ReservationError,
    ReservationStatus,
)
from models.settings.store import get_setting
from models.users.user import MANAGEMENT, User

EVENT = "reservation_event"


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
) -> Reservation | ProcessInstance:
    """Reserve now, or — offline, over the client's limit, when asked — request approval.

    Returns the active Reservation, or the waiting process instance of an approval request.
    """
    premise = txcache.locked(session, Premise, premise_id)  # the action reuses the lock
    if premise is None:
        raise NotFound("Помещение не найдено")
    if premise.status != PremiseStatus.available:
        raise PremiseUnavailable(f"Помещение № {premise.number} уже не свободно")
    over_limit = False
    if channel != Channel.online:
        # Offline, the head of sales may allow a reservation over the limit: the process is
        # told now. Online there is no such way: the process's own check, made under the
        # client's lock, refuses, and the caller rolls back.
        limit = get_setting(session, "reservation.max_per_client", project_of(session, premise))
        over_limit = active_count(session, client.id) >= limit
        if over_limit and not request_approval:
            raise ClientLimitReached(limit_message(limit, channel))
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
        return instance
    reservation_id = (instance.business_keys or {}).get("reservation_id")
    if reservation_id is None:
        raise _refusal(session, instance)
    return session.get(Reservation, reservation_id)


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


def _deliver(session: Session, reservation: Reservation, user: User | None, **payload) -> None:
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
) -> Reservation | ProcessInstance:
    """Within the maximum term the manager extends; beyond it the head of sales approves."""
    max_term = get_setting(session, "reservation.max_term", _project(reservation))
    if until <= reservation.expires_at:
        raise ReservationError("bad_term", "Новый срок должен быть позже текущего", "until")
    if not reservation.can_extend(until, max_term) and user.role not in MANAGERS:
        return _request_change(session, reservation, user, "extend", until=until.isoformat())
    _deliver(session, reservation, user, outcome="extended", until=until.isoformat())
    return reservation


def pay(session: Session, reservation: Reservation, fee, user: User) -> Reservation:
    _deliver(session, reservation, user, outcome="paid", fee=str(fee) if fee else None)
    return reservation


def cancel(
    session: Session, reservation: Reservation, reason: str, user: User | None
) -> Reservation | ProcessInstance:
    """A free reservation is cancelled at once; a paid one needs the head of sales."""
    if not reservation.is_active:
        raise ReservationError("not_active", "Бронь уже не действует")
    if reservation.is_paid and user is not None and user.role not in MANAGERS:
        return _request_change(session, reservation, user, "cancel", reason=reason)
    _deliver(session, reservation, user, outcome="cancelled", reason=reason)
    return reservation


def convert(session: Session, reservation: Reservation, user: User) -> Reservation:
    _deliver(session, reservation, user, outcome="converted")
    return reservation


MANAGERS = MANAGEMENT
CHANGE_PROCESS = "reservation_change"


def _request_change(session, reservation: Reservation, user: User, change: str, **data):
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
    return runtime.start(
        session,
        CHANGE_PROCESS,
        data={
            "change": change,
            "change_label": _change_label(change, data),
            "premise_number": reservation.premise.number,
            "client_name": reservation.client.full_name,
            "expires_at": reservation.expires_at.isoformat(),
            "until": data.get("until"),
            "reason": data.get("reason", ""),
        },
        business_keys={"reservation_id": reservation.id, "premise_id": reservation.premise_id},
        user=user,
        title=f"бронь {reservation.id}, № {reservation.premise.number}",
    )


def _change_label(change: str, data: dict) -> str:
    if change == "extend":
        until = datetime.fromisoformat(data["until"])
        return f"продлить до {until:%d.%m.%Y %H:%M} UTC (сверх максимального срока)"
    return f"снять оплаченную бронь — {data.get('reason') or 'без причины'}"


def _project(reservation: Reservation) -> int:
    return project_of(object_session(reservation), reservation.premise)


# ------------------------------------------------------------------ the offline queue


def enqueue(session: Session, premise_id: int, client: Client, user: User) -> QueueEntry:
    premise = session.get(Premise, premise_id, with_for_update=True)
    if premise is None:
        raise NotFound("Помещение не найдено")
    if premise.status == PremiseStatus.available:
        raise ReservationError("premise_free", "Помещение свободно: поставьте бронь, а не очередь")
    if premise.status in (PremiseStatus.sold, PremiseStatus.not_for_sale):
        raise ReservationError("premise_closed", "На это помещение очередь не ведётся")
    holder = session.scalar(
        select(Reservation.client_id).where(
            Reservation.premise_id == premise.id, Reservation.status == ReservationStatus.active
        )
    )
    if holder == client.id:
        raise ReservationError("already_holder", "У клиента уже есть бронь этого помещения")
    waiting = waiting_entries(session, premise.id)
    if any(entry.client_id == client.id for entry in waiting):
        raise ReservationError("already_queued", "Клиент уже стоит в очереди на это помещение")
    entry = QueueEntry(
        premise_id=premise.id,
        client_id=client.id,
        manager_id=user.id,
        position=(max((e.position for e in waiting), default=0) + 1),
        created_at=utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


def waiting_entries(session: Session, premise_id: int) -> list[QueueEntry]:
    return list(
        session.scalars(
            select(QueueEntry)
            .where(QueueEntry.premise_id == premise_id, QueueEntry.status == QueueStatus.waiting)
            .order_by(QueueEntry.position, QueueEntry.id)
        )
    )


def remove_from_queue(session: Session, entry: QueueEntry, user: User) -> None:
    if entry.status != QueueStatus.waiting:
        raise ReservationError("not_waiting", "Клиент уже не стоит в очереди")
    if user.role not in MANAGERS and entry.manager_id != user.id:
        raise ReservationError(
            "not_yours", "Убрать из очереди может свой менеджер или руководитель"
        )
    entry.status = QueueStatus.removed
    entry.ended_at = utcnow()
    session.flush()


def move_in_queue(session: Session, entry: QueueEntry, step: int, user: User) -> None:
    """Reordering needs the head of sales."""
    if user.role not in MANAGERS:
        raise ReservationError(
            "forbidden", "Менять порядок очереди может руководитель отдела продаж"
        )
    entries = waiting_entries(session, entry.premise_id)
    index = next((i for i, e in enumerate(entries) if e.id == entry.id), None)
    if index is None:
        raise ReservationError("not_waiting", "Клиент уже не стоит в очереди")
    target = index + step
    if not 0 <= target < len(entries):
        return
    entries[index], entries[target] = entries[target], entries[index]
    for position, item in enumerate(entries, start=1):
        item.position = position
    session.flush()
