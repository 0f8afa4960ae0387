"""Online reservations: create (idempotent), read and cancel, each seen only by its own key."""

from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session

from engine.clients import use_cases as clients
from engine.core.run import with_unguarded_actions
from engine.sales import use_cases as reservations
from models.db.errors import NotFound
from models.sales.reservation import Channel, Reservation, ReservationError
from web.api import bp
from web.api.auth import api_key_required, current_key_id
from web.api.errors import ApiError, from_domain_error
from web.api.idempotency import IdempotentRequest
from web.api.payloads import ReservationRequest, parse_reservation_request
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
    try:
        reservation = with_unguarded_actions(
            db.session, lambda: book(db.session, order, current_key_id())
        )
    except (ReservationError, NotFound) as error:
        db.session.rollback()  # nothing of the attempt stays, not even a new client
        refusal = from_domain_error(error)
        return attempt.answer(refusal.status, refusal.payload())
    return attempt.answer(201, reservation_json(reservation))


@bp.get("/reservations/<int:reservation_id>")
@api_key_required
def reservation(reservation_id: int):
    return reservation_json(_own(reservation_id))


@bp.delete("/reservations/<int:reservation_id>")
@api_key_required
def cancel_reservation(reservation_id: int):
    found = _own(reservation_id)
    try:
        reservations.cancel(db.session, found, CANCEL_REASON, None)
    except ReservationError as error:
        db.session.rollback()
        raise from_domain_error(error) from error
    db.session.commit()
    return reservation_json(db.session.get(Reservation, reservation_id))


def book(session: Session, order: ReservationRequest, api_key_id: int) -> Reservation:
    """The client found by phone (or added) with the consent, then the reservation; only flushes.

    Raises ReservationError or NotFound: the caller rolls back, so nothing of it stays.
    """
    client = clients.find_or_create(
        session,
        full_name=order.full_name,
        phone=order.phone,
        email=order.email,
        consent=True,
        channel=Channel.online.value,
        taken_by_id=None,
    )
    return reservations.reserve(
        session, order.premise_id, client, channel=Channel.online, user=None, api_key_id=api_key_id
    )


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
