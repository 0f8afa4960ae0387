"""Actions that change an active reservation: payment, extension, fresh terms, approved changes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from engine.core.actions import ActionContext, ActionError, action
from engine.sales.actions import find_reservation, terms
from models.db.base import utcnow
from models.sales.reservation import ReservationError
from models.settings.store import get_setting


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
    reservation = find_reservation(ctx, reservation_id)
    project_id = reservation.premise.building.project_id
    try:
        amount = Decimal(str(fee)) if fee not in (None, "") else None
    except InvalidOperation as error:
        raise ActionError("bad_fee", f"Сумма «{fee}» — не число", field="fee") from error
    if amount is None:  # none given: the project's fee (a given 0 is refused below)
        amount = get_setting(ctx.session, "reservation.paid_fee", project_id)
    try:
        reservation.register_payment(
            amount,
            term=get_setting(ctx.session, "reservation.term.paid", project_id),
            by_user_id=int(user_id) if user_id else None,
            now=utcnow(),
        )
    except ReservationError as error:
        raise ActionError(error.code, error.message, field=error.field) from error
    ctx.flush()
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
    reservation = find_reservation(ctx, reservation_id)
    try:
        moment = datetime.fromisoformat(str(until))
        reservation.extend(moment, by_user_id=int(user_id) if user_id else None, now=utcnow())
    except ValueError as error:
        raise ActionError("bad_term", f"Срок «{until}» не распознан", field="until") from error
    except ReservationError as error:
        raise ActionError(error.code, error.message, field=error.field) from error
    ctx.flush()
    return terms(ctx.session, reservation)


@action(
    "load_terms",
    "Прочитать действующие сроки брони (для таймеров процесса)",
    params={"reservation_id": ("int", "Бронь")},
)
def load_terms(ctx: ActionContext, reservation_id):
    return terms(ctx.session, find_reservation(ctx, reservation_id))


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
    reservation = find_reservation(ctx, reservation_id)
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
