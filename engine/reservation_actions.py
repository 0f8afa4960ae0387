"""Service-task actions of processes/reservation.bpmn: the work; the BPMN decides the order."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from engine.actions import ActionContext, ActionError, action
from models.base import utcnow
from models.catalog import Premise
from models.client import Client
from models.notification import Notification
from models.reservation import (
    Channel,
    QueueEntry,
    QueueStatus,
    Reservation,
    ReservationError,
    ReservationStatus,
)
from models.settings import get_setting

RESERVATION_PROCESS = "reservation"


def active_count(session, client_id: int) -> int:
    return session.scalar(
        select(func.count()).where(
            Reservation.client_id == client_id, Reservation.status == ReservationStatus.active
        )
    )


def term_for(session, premise: Premise, channel: Channel, paid: bool) -> timedelta:
    key = "reservation.term.paid" if paid else f"reservation.term.{channel.value}"
    return get_setting(session, key, premise.building.project_id)


def terms(session, reservation: Reservation) -> dict:
    """What the BPMN timers read: deadlines as ISO strings with an offset."""
    project_id = reservation.premise.building.project_id
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


def _reservation(ctx: ActionContext, reservation_id) -> Reservation:
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
    premise = session.get(Premise, int(premise_id), with_for_update=True)
    client = session.get(Client, int(client_id), with_for_update=True)
    if premise is None or client is None:
        raise ActionError("premise_unavailable", "Помещение или клиент не найдены")
    limit = get_setting(session, "reservation.max_per_client", premise.building.project_id)
    if not (limit_approved or from_queue) and active_count(session, client.id) >= limit:
        raise ActionError(
            "client_limit_reached",
            f"У клиента уже {limit} активных брони — это предел; нужно согласование руководителя",
        )
    channel = Channel(channel)
    now = utcnow()
    try:
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
        session.flush()
    except ReservationError as error:
        raise ActionError(error.code, error.message) from error
    except IntegrityError as error:  # the partial unique index: someone was faster
        raise ActionError("premise_unavailable", "Помещение только что забронировали") from error
    ctx.add_business_key("reservation_id", reservation.id)
    return terms(session, reservation)


@action(
    "confirm_reservation",
    "Отметить, что менеджер подтвердил бронь из очереди",
    params={"reservation_id": ("int", "Бронь"), "user_id": ("int", "Кто подтвердил")},
)
def confirm_reservation(ctx: ActionContext, reservation_id, user_id):
    reservation = _reservation(ctx, reservation_id)
    reservation.confirm(by_user_id=user_id, now=utcnow())
    ctx.session.flush()
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
    reservation = _reservation(ctx, reservation_id)
    ctx.session.get(Premise, reservation.premise_id, with_for_update=True)
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
    _notify(ctx, reservation, _END_TEXT.get(status, "Бронь снята"))
    ctx.session.flush()
    return {"status": reservation.status.value, "premise_id": reservation.premise_id}


_END_TEXT = {
    "expired": "Истёк срок брони",
    "cancelled": "Бронь снята",
    "converted": "Бронь перешла в сделку",
}


@action(
    "promote_queue",
    "Передать освободившееся помещение первому клиенту очереди (бронь с окном подтверждения)",
    params={"premise_id": ("int", "Помещение")},
)
def promote_queue(ctx: ActionContext, premise_id):
    session = ctx.session
    entry = session.scalars(
        select(QueueEntry)
        .where(QueueEntry.premise_id == int(premise_id), QueueEntry.status == QueueStatus.waiting)
        .order_by(QueueEntry.position, QueueEntry.id)
        .limit(1)
        .with_for_update()
    ).first()
    if entry is None:
        return {"promoted": None}
    entry.status = QueueStatus.promoted
    entry.ended_at = utcnow()
    session.flush()
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
    )
    return {"promoted": entry.id}


@action(
    "register_payment",
    "Зарегистрировать оплату брони: помещение — «платная бронь», срок — платный",
    params={
        "reservation_id": ("int", "Бронь"),
        "fee": ("money", "Сумма оплаты, ₽"),
        "user_id": ("int", "Кто зарегистрировал"),
    },
)
def register_payment(ctx: ActionContext, reservation_id, fee, user_id):
    reservation = _reservation(ctx, reservation_id)
    project_id = reservation.premise.building.project_id
    try:
        amount = Decimal(str(fee)) if fee not in (None, "") else None
    except InvalidOperation as error:
        raise ActionError("bad_fee", f"Сумма «{fee}» — не число") from error
    amount = amount or get_setting(ctx.session, "reservation.paid_fee", project_id)
    try:
        reservation.register_payment(
            amount,
            term=get_setting(ctx.session, "reservation.term.paid", project_id),
            by_user_id=int(user_id) if user_id else None,
            now=utcnow(),
        )
    except ReservationError as error:
        raise ActionError(error.code, error.message) from error
    ctx.session.flush()
    return terms(ctx.session, reservation)


@action(
    "extend_reservation",
    "Продлить бронь до новой даты",
    params={
        "reservation_id": ("int", "Бронь"),
        "until": ("datetime", "Новый срок (ISO 8601 со смещением)"),
        "user_id": ("int", "Кто продлил"),
    },
)
def extend_reservation(ctx: ActionContext, reservation_id, until, user_id):
    reservation = _reservation(ctx, reservation_id)
    try:
        moment = datetime.fromisoformat(str(until))
        reservation.extend(moment, by_user_id=int(user_id) if user_id else None, now=utcnow())
    except ValueError as error:
        raise ActionError("bad_term", f"Срок «{until}» не распознан") from error
    except ReservationError as error:
        raise ActionError(error.code, error.message) from error
    ctx.session.flush()
    return terms(ctx.session, reservation)


@action(
    "load_terms",
    "Прочитать действующие сроки брони (для таймеров процесса)",
    params={"reservation_id": ("int", "Бронь")},
)
def load_terms(ctx: ActionContext, reservation_id):
    return terms(ctx.session, _reservation(ctx, reservation_id))


@action(
    "remind_manager",
    "Напомнить менеджеру, что срок брони скоро истечёт",
    params={"reservation_id": ("int", "Бронь")},
)
def remind_manager(ctx: ActionContext, reservation_id):
    reservation = _reservation(ctx, reservation_id)
    if reservation.is_active:
        when = reservation.expires_at.strftime("%d.%m.%Y %H:%M UTC")
        _notify(ctx, reservation, f"Срок брони истекает {when}")
        reservation.record("reminded", None, {}, utcnow())
        ctx.session.flush()
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
        number = premise.number if premise else premise_id
        ctx.session.add(
            Notification(
                user_id=int(manager_id),
                text=f"Бронь помещения № {number} не поставлена: {reason}",
                link=f"/premises/{premise_id}",
                kind="reservation",
            )
        )
        ctx.session.flush()
    return {}


def _notify(ctx: ActionContext, reservation: Reservation, text: str) -> None:
    if reservation.manager_id is None:
        return
    ctx.session.add(
        Notification(
            user_id=reservation.manager_id,
            text=f"{text}: № {reservation.premise.number}, {reservation.client.full_name}",
            link=f"/reservations/{reservation.id}",
            kind="reservation",
        )
    )


@action(
    "apply_reservation_change",
    "Применить согласованное изменение брони: продление или снятие",
    params={
        "reservation_id": ("int", "Бронь"),
        "change": ("str", "extend или cancel"),
        "until": ("datetime", "Новый срок (для продления)"),
        "reason": ("str", "Причина (для снятия)"),
        "user_id": ("int", "Кто согласовал"),
    },
)
def apply_reservation_change(ctx: ActionContext, reservation_id, change, until, reason, user_id):
    reservation = _reservation(ctx, reservation_id)
    if not reservation.is_active:
        return {"applied": False, "status": reservation.status.value}
    if change == "extend":
        payload = {"outcome": "extended", "until": until, "user_id": user_id}
    elif change == "cancel":
        payload = {"outcome": "cancelled", "reason": reason or "", "user_id": user_id}
    else:
        raise ActionError("bad_change", f"Неизвестное изменение «{change}»")
    ctx.send_message("reservation_event", "reservation_id", reservation.id, payload)
    return {"applied": True}
