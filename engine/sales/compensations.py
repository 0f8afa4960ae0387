"""What cancelling a sales process gives back (engine/core/compensations.py)."""

from __future__ import annotations

from engine.core.actions import ActionContext
from engine.core.compensations import compensation
from engine.sales.actions import (
    RESERVATION_PROCESS,
    end_reservation,
    find_reservation,
    promote_queue,
)
from models.sales.reservation import ReservationStatus


@compensation(
    RESERVATION_PROCESS,
    "Бронь снимается, помещение освобождается или переходит первому клиенту очереди, "
    "менеджер получает уведомление",
)
def release_reservation(ctx: ActionContext, keys: dict, reason: str) -> str:
    """The reservation it made, if still active, is cancelled; the queue's first client gets
    the premise."""
    if not keys.get("reservation_id"):
        return "Бронь не была поставлена: освобождать нечего"
    why = f"Процесс отменён администратором: {reason}" if reason else "Процесс отменён"
    return give_back(ctx, keys["reservation_id"], why)


def give_back(ctx: ActionContext, reservation_id: int, why: str) -> str:
    """Cancel the reservation, if still active, and hand its premise on: what was done, in words."""
    reservation = find_reservation(ctx, reservation_id)
    cancelled = ReservationStatus.cancelled.value
    ended = end_reservation(ctx, reservation.id, cancelled, why, ctx.user_id)
    if "premise_id" not in ended:  # ended before, under its lock: nothing held
        return f"Бронь уже не действует («{reservation.status_label}»): освобождать нечего"
    return "Бронь снята, " + hand_on(ctx, ended["premise_id"])


def hand_on(ctx: ActionContext, premise_id: int) -> str:
    """A premise just let go goes to the first client in its queue, if any."""
    if promote_queue(ctx, premise_id)["promoted"]:
        return "помещение передано первому клиенту очереди"
    return "помещение свободно"
