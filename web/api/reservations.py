"""Online reservations: create (idempotent), read and cancel, each seen only by its own key."""

from __future__ import annotations

from flask import Response

from engine.sales import use_cases as reservations
from models.sales.reservation import ONLINE_STORE, Reservation
from web import edge
from web.api import bp
from web.api.auth import api_key_required, current_key_id
from web.api.errors import ApiError, from_domain_error
from web.api.idempotency import IdempotentRequest
from web.api.payloads import parse_reservation_request
from web.extensions import db

CANCEL_REASON = "отменена в интернет-магазине"


@bp.post("/reservations")
@api_key_required
def create_reservation() -> Response:
    attempt = IdempotentRequest.from_request(current_key_id())
    replayed = attempt.replay()
    if replayed is not None:
        return replayed
    order = parse_reservation_request(attempt.body)
    with edge.unit_of_work(report=False) as work:  # refused: nothing stays, not even a client
        outcome = edge.redo_guarded(
            lambda: reservations.book(
                db.session,
                order.premise_id,
                full_name=order.full_name,
                phone=order.phone,
                email=order.email,
                api_key_id=current_key_id(),
            ),
        )
    if work.failed:
        refusal = from_domain_error(work.error)
        return attempt.answer(refusal.status, refusal.payload())
    return attempt.answer(201, reservation_json(outcome.reservation))


@bp.get("/reservations/<int:reservation_id>")
@api_key_required
def reservation(reservation_id: int):
    return reservation_json(_own(reservation_id))


@bp.delete("/reservations/<int:reservation_id>")
@api_key_required
def cancel_reservation(reservation_id: int):
    found = _own(reservation_id)
    reservations.cancel(db.session, found, CANCEL_REASON, ONLINE_STORE)  # refused: its 409
    return reservation_json(db.session.get(Reservation, reservation_id))


def reservation_json(reservation: Reservation) -> dict:
    return {
        "id": reservation.id,
        "status": reservation.status.value,
        "premise_id": reservation.premise_id,
        "client_id": reservation.client_id,
        "expires_at": reservation.expires_at.isoformat(timespec="seconds"),
    }


def _own(reservation_id: int) -> Reservation:
    """Another key's reservation is answered as unknown: 404, not 403."""
    found = db.session.get(Reservation, reservation_id)
    if found is None or found.api_key_id != current_key_id():
        raise ApiError(404, "not_found", "Бронь не найдена")
    return found
