"""Service-task actions of processes/reservation.bpmn: the work; the BPMN decides the order."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload, object_session

from engine.core.actions import ActionContext, ActionError, action
from engine.notifications.catalog import Event
from engine.notifications.emit import emit
from engine.sales.events import (
    QUEUE_PROMOTED,
    RESERVATION_ENDED,
    RESERVATION_EXPIRING,
    RESERVATION_MADE,
    RESERVATION_REFUSED,
)
from engine.speed.preload import preloader
from models.catalog.facts import building_facts
from models.catalog.objects import Premise
from models.clients.client import Client
from models.db import txcache
from models.db.base import utcnow
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import (
    Channel,
    ClientLimit,
    Reservation,
    ReservationError,
    ReservationStatus,
)
from models.settings.store import get_setting

RESERVATION_PROCESS = "reservation"


def client_limit(session, premise: Premise, client_id: int) -> ClientLimit:
    """The client's limit for a premise's project and their active reservations now; final
    only under the client's row lock (`lock_client`)."""
    active = session.scalar(
        select(func.count()).where(
            Reservation.client_id == client_id, Reservation.status == ReservationStatus.active
        )
    )
    limit = get_setting(session, "reservation.max_per_client", project_of(session, premise))
    return ClientLimit(limit, active)


def project_of(session, premise: Premise) -> int:
    return building_facts(session, premise.building_id).project_id


def term_for(session, premise: Premise, channel: Channel, paid: bool) -> timedelta:
    key = "reservation.term.paid" if paid else f"reservation.term.{channel.value}"
    return get_setting(session, key, project_of(session, premise))


def terms(session, reservation: Reservation) -> dict:
    """What the BPMN timers read: deadlines as ISO strings with an offset."""
    project_id = project_of(session, reservation.premise)
    lead = get_setting(session, "reservation.reminder_before", project_id)
    window = get_setting(session, "queue.acceptance_window", project_id)
    remind_at = max(reservation.expires_at - lead, reservation.starts_at)
    return {
        "reservation_id": reservation.id,
        "expires_at": reservation.expires_at.isoformat(),
        "remind_at": remind_at.isoformat(),
        "confirm_by": (reservation.starts_at + window).isoformat(),
        "paid": reservation.is_paid,
    }


def lock_client(session, client_id: int) -> Client | None:
    """FOR NO KEY UPDATE: serialises the limit check, yet does not deadlock with a consent row
    inserted for this client in the same transaction (its foreign key takes KEY SHARE)."""
    return txcache.locked(session, Client, client_id, key_share=True)


def _locked_reservations():
    """Reservations with their premise, manager, client and the client's consents (whether the
    client may be told) in one statement, the reservation and the premise rows locked (FOR
    UPDATE on PostgreSQL) and read as they are once locked."""
    return (
        select(Reservation)
        .join(Reservation.premise)
        .join(Reservation.client)
        .outerjoin(Client.consents)
        .options(
            contains_eager(Reservation.premise),
            contains_eager(Reservation.client).contains_eager(Client.consents),
            joinedload(Reservation.manager),
        )
        .with_for_update(of=[Reservation.__table__, Premise.__table__])
        .execution_options(populate_existing=True)
    )


@preloader
def preload_reservations(session, instances) -> None:
    """A tick batch: the reservations whose timers are due, and the queues of their premises,
    locked and read in two statements instead of two per instance."""
    ids = [
        int(keys["reservation_id"])
        for keys in (instance.business_keys or {} for instance in instances)
        if keys.get("reservation_id")
    ]
    if not ids:
        return
    held = txcache.namespace(session, "locked_reservations")
    heads = txcache.namespace(session, "queue_heads")
    # In id order: two workers' batches that share a row lock it in the same order.
    query = _locked_reservations().where(Reservation.id.in_(ids)).order_by(Reservation.id)
    for reservation in session.scalars(query).unique():
        held[reservation.id] = reservation
        txcache.hold(session, reservation.premise, reservation.premise_id)
        heads[reservation.premise_id] = None
    for entry in session.scalars(_waiting_queue(list(heads))):
        if heads[entry.premise_id] is None:
            heads[entry.premise_id] = entry


def _waiting_queue(premise_ids: list[int]):
    return (
        select(QueueEntry)
        .where(QueueEntry.premise_id.in_(premise_ids), QueueEntry.status == QueueStatus.waiting)
        .order_by(QueueEntry.premise_id, QueueEntry.position, QueueEntry.id)
        .with_for_update()
    )


def _locked_reservation(reservation_id: int):
    return _locked_reservations().where(Reservation.id == reservation_id)


def _locked_with_premise(ctx: ActionContext, reservation_id) -> Reservation:
    """The reservation, locked with its premise (see `_locked_reservations`), read once per
    transaction (a tick batch's preloader may have read it with the others)."""
    found = txcache.remember(
        ctx.session,
        "locked_reservations",
        int(reservation_id),
        lambda: ctx.session.scalars(_locked_reservation(int(reservation_id))).unique().first(),
    )
    if found is None:
        raise ActionError("reservation_missing", f"Бронь {reservation_id} не найдена")
    return found


def find_reservation(ctx: ActionContext, reservation_id) -> Reservation:
    found = ctx.session.get(Reservation, int(reservation_id))
    if found is None:
        raise ActionError("reservation_missing", f"Бронь {reservation_id} не найдена")
    return found


@action(
    "reserve_premise",
    "Закрепить помещение за клиентом: проверка и запись в одной транзакции, цена фиксируется",
    params={
        "premise_id": ("int", "Помещение"),
        "client_id": ("int", "Клиент"),
        "channel": ("str", "online или offline"),
        "paid": ("bool", "Платная бронь"),
        "manager_id": ("int", "Менеджер (для онлайна — пусто)"),
        "limit_approved": ("bool", "Руководитель разрешил превысить лимит"),
        "from_queue": ("bool", "Бронь из очереди"),
        "api_key_id": ("int", "Ключ API интернет-магазина (для онлайна)"),
    },
    error_codes=("premise_unavailable", "client_limit_reached"),
)
def reserve_premise(
    ctx: ActionContext,
    premise_id,
    client_id,
    channel,
    paid,
    manager_id,
    limit_approved,
    from_queue,
    api_key_id,
):
    session = ctx.session
    premise = txcache.locked(session, Premise, int(premise_id))
    client = lock_client(session, int(client_id))
    if client is not None and client.merged_into_id:  # merged while the process waited
        client = lock_client(session, client.merged_into_id)
    if premise is None or client is None:
        raise ActionError("premise_unavailable", "Помещение или клиент не найдены")
    channel = Channel(channel)
    now = utcnow()
    try:  # the limit counted under the client's lock taken above
        limit = client_limit(session, premise, client.id)
        limit.reserve_another(channel, approved=bool(limit_approved or from_queue))
        reservation = Reservation.take(
            premise,
            client,
            channel=channel,
            term=term_for(session, premise, channel, bool(paid)),
            manager_id=int(manager_id) if manager_id else None,
            now=now,
            paid=bool(paid),
            from_queue=bool(from_queue),
            api_key_id=int(api_key_id) if api_key_id else None,
        )
        session.add(reservation)
        ctx.flush(reservation)  # its id: the business key, the terms
    except ReservationError as error:
        raise ActionError(error.code, error.message) from error
    except IntegrityError as error:  # the partial unique index: someone was faster
        raise ActionError("premise_unavailable", "Помещение только что забронировали") from error
    ctx.add_business_key("reservation_id", reservation.id)
    _emit(ctx, RESERVATION_MADE, reservation)
    return terms(session, reservation)


@action(
    "confirm_reservation",
    "Отметить, что менеджер подтвердил бронь из очереди",
    params={"reservation_id": ("int", "Бронь"), "user_id": ("int", "Кто подтвердил")},
)
def confirm_reservation(ctx: ActionContext, reservation_id, user_id):
    reservation = find_reservation(ctx, reservation_id)
    reservation.confirm(by_user_id=user_id, now=utcnow())
    ctx.flush()
    return terms(ctx.session, reservation)


@action(
    "end_reservation",
    "Снять бронь: истекла, отменена или перешла в сделку; помещение освобождается",
    params={
        "reservation_id": ("int", "Бронь"),
        "status": ("str", "expired, cancelled или converted"),
        "reason": ("str", "Причина"),
        "user_id": ("int", "Кто снял (пусто — система)"),
    },
)
def end_reservation(ctx: ActionContext, reservation_id, status, reason, user_id):
    reservation = _locked_with_premise(ctx, reservation_id)
    premise = reservation.premise  # held: the identity map alone would let it go
    if not reservation.is_active:  # already ended elsewhere: nothing to do, twice is safe
        return {"status": reservation.status.value}
    try:
        reservation.end(
            ReservationStatus(status),
            by_user_id=int(user_id) if user_id else None,
            now=utcnow(),
            reason=reason or "",
        )
    except (ValueError, ReservationError) as error:
        raise ActionError("bad_status", str(error)) from error
    _emit(ctx, RESERVATION_ENDED[reservation.status], reservation)
    ctx.flush()
    return {"status": reservation.status.value, "premise_id": premise.id}


@action(
    "promote_queue",
    "Передать освободившееся помещение первому клиенту очереди (бронь с окном подтверждения)",
    params={"premise_id": ("int", "Помещение")},
)
def promote_queue(ctx: ActionContext, premise_id):
    session = ctx.session
    entry = txcache.remember(  # read once per transaction (a tick batch's preloader may have)
        session,
        "queue_heads",
        int(premise_id),
        lambda: session.scalars(_waiting_queue([int(premise_id)]).limit(1)).first(),
    )
    txcache.namespace(session, "queue_heads").pop(int(premise_id))  # no longer the head
    if entry is None:
        return {"promoted": None}
    entry.promote(now=utcnow())
    emit(
        session,
        QUEUE_PROMOTED,
        client_id=entry.client_id,
        user_ids=[entry.manager_id],
        context={"premise_number": entry.premise.number, "client_name": entry.client.full_name},
        link=f"/premises/{entry.premise_id}",
    )
    ctx.flush()
    ctx.start_process(
        RESERVATION_PROCESS,
        {
            "channel": Channel.offline.value,
            "paid": False,
            "manager_id": entry.manager_id,
            "from_queue": True,
            "queue_entry_id": entry.id,
            "over_limit": False,
            "api_key_id": None,
            "premise_number": entry.premise.number,
            "client_name": entry.client.full_name,
        },
        {"premise_id": entry.premise_id, "client_id": entry.client_id},
        title=f"№ {entry.premise.number}, {entry.client.full_name} (из очереди)",
    )
    return {"promoted": entry.id}


@action(
    "remind_manager",
    "Напомнить менеджеру, что срок брони скоро истечёт",
    params={"reservation_id": ("int", "Бронь")},
)
def remind_manager(ctx: ActionContext, reservation_id):
    reservation = find_reservation(ctx, reservation_id)
    if reservation.is_active:
        _emit(ctx, RESERVATION_EXPIRING, reservation)
        reservation.record("reminded", None, {}, utcnow())
        ctx.flush()
    return {}


@action(
    "notify_refused",
    "Сообщить менеджеру, что бронь поставить не удалось",
    params={
        "manager_id": ("int", "Менеджер"),
        "premise_id": ("int", "Помещение"),
        "reason": ("str", "Причина"),
    },
)
def notify_refused(ctx: ActionContext, manager_id, premise_id, reason):
    if manager_id:
        premise = ctx.session.get(Premise, int(premise_id))
        emit(
            ctx.session,
            RESERVATION_REFUSED,
            user_ids=[int(manager_id)],
            context={
                "premise_number": premise.number if premise else str(premise_id),
                "reason": reason or "",
            },
            link=f"/premises/{premise_id}",
        )
        ctx.flush()
    return {}


# Who a client's letter names when nobody leads the reservation (an online booking) nor the card.
NO_MANAGER_YET = "отдел продаж (менеджер свяжется с вами)"


def manager_name(reservation: Reservation) -> str:
    """The reservation's manager, else the manager who leads the client's card, else the sales
    department: a letter never says «Ваш менеджер: .»."""
    manager = reservation.manager or reservation.client.manager
    return manager.display_name if manager is not None else NO_MANAGER_YET


def context_of(reservation: Reservation) -> dict:
    """What templates of reservation events may say."""
    premise = reservation.premise
    session = object_session(reservation)
    building = building_facts(session, premise.building_id)  # kept per worker, not re-read
    tz = ZoneInfo(building.time_zone)
    return {
        "reservation_id": reservation.id,
        "premise_number": premise.number,
        "building": building.title,
        "client_name": reservation.client.full_name,
        "manager_name": manager_name(reservation),
        "channel": reservation.channel.value,
        "expires_at": reservation.expires_at.isoformat(),
        "expires_at_text": reservation.expires_at.astimezone(tz).strftime("%d.%m.%Y %H:%M"),
        "fixed_price": str(reservation.fixed_price),
    }


def _emit(ctx: ActionContext, event: Event, reservation: Reservation) -> None:
    emit(
        ctx.session,
        event,
        client_id=reservation.client_id,
        user_ids=[reservation.manager_id],
        context=context_of(reservation),
        link=f"/reservations/{reservation.id}",
    )
