"""A minimal client list and card: reservations and queue places (the full card comes later)."""

from __future__ import annotations

import contextlib

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import or_, select

from engine import reservations
from models.catalog import Building, Premise
from models.client import Client, ClientPhone, InvalidClientData, normalise_phone
from models.errors import DomainError
from models.reservation import Channel, QueueEntry, QueueStatus, Reservation
from web.extensions import db
from web.sales import READERS, RESERVERS, bp
from web.security import requires


@bp.route("/clients")
@requires(READERS)
def clients():
    q = (request.args.get("q") or "").strip()
    query = select(Client).order_by(Client.full_name)
    if q:
        conditions = [Client.full_name.ilike(f"%{q}%"), Client.email.ilike(f"%{q}%")]
        with contextlib.suppress(InvalidClientData):  # not a phone: search by name and email
            conditions.append(
                Client.id.in_(
                    select(ClientPhone.client_id).where(ClientPhone.phone == normalise_phone(q))
                )
            )
        query = query.where(or_(*conditions))
    page = db.paginate(query, per_page=50, error_out=False)
    return render_template("clients/index.html", page=page, q=q)


@bp.route("/clients/<int:client_id>")
@requires(READERS)
def client(client_id: int):
    found = db.session.get(Client, client_id) or abort(404)
    held = db.session.scalars(
        select(Reservation).where(Reservation.client_id == found.id).order_by(Reservation.id.desc())
    ).all()
    queued = db.session.scalars(
        select(QueueEntry).where(
            QueueEntry.client_id == found.id, QueueEntry.status == QueueStatus.waiting
        )
    ).all()
    buildings = db.session.scalars(select(Building).order_by(Building.name)).all()
    return render_template(
        "clients/client.html", client=found, held=held, queued=queued, buildings=buildings
    )


@bp.route("/clients/<int:client_id>/reserve", methods=["POST"])
@requires(RESERVERS)
def reserve_for_client(client_id: int):
    found = db.session.get(Client, client_id) or abort(404)
    number = (request.form.get("number") or "").strip()
    premise = db.session.scalar(
        select(Premise).where(
            Premise.building_id == request.form.get("building_id", type=int),
            Premise.number == number,
        )
    )
    if premise is None:
        flash(f"Помещение № {number or '—'} в этом корпусе не найдено", "danger")
        return redirect(url_for("sales.client", client_id=found.id))
    try:
        result = reservations.reserve(
            db.session,
            premise.id,
            found,
            channel=Channel.offline,
            user=current_user,
            request_approval=bool(request.form.get("request_approval")),
        )
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
        return redirect(url_for("sales.client", client_id=found.id))
    db.session.commit()
    if isinstance(result, Reservation):
        return redirect(url_for("sales.reservation", reservation_id=result.id))
    flash("Лимит броней клиента исчерпан: запрошено согласование руководителя", "info")
    return redirect(url_for("sales.client", client_id=found.id))
