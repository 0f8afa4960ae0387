"""Putting a reservation on a premise (offline): from the chessboard cell or premise card."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from engine.clients import use_cases as clients
from engine.sales import use_cases as reservations
from models.catalog.objects import Premise
from models.sales.reservation import Channel
from web import edge
from web.extensions import db
from web.sales import RESERVERS, bp
from web.sales.forms import ReserveForm
from web.security import requires


def client_from(form) -> object:
    return clients.find_or_create(
        db.session,
        full_name=form.full_name.data,
        phone=form.phone.data,
        email=form.email.data,
        consent=form.consent.data,
        channel="office",
        taken_by_id=current_user.id,
    )


@bp.route("/premises/<int:premise_id>/reserve", methods=["GET", "POST"])
@requires(RESERVERS)
def reserve(premise_id: int):
    premise = db.session.get(Premise, premise_id) or abort(404)
    form = ReserveForm()
    if form.validate_on_submit():
        with edge.unit_of_work(form):
            outcome = reservations.reserve(
                db.session,
                premise.id,
                client_from(form),
                channel=Channel.offline,
                user=current_user,
                request_approval=form.request_approval.data,
            )
            if not outcome.approval_requested:
                made = outcome.reservation
                local = made.expires_at.astimezone(ZoneInfo(premise.building.time_zone))
                flash(f"Бронь поставлена до {local:%d.%m.%Y %H:%M}", "success")
                return redirect(url_for("sales.reservation", reservation_id=made.id))
            flash("Лимит броней клиента исчерпан: запрошено согласование руководителя", "info")
            return redirect(url_for("catalog.premise", premise_id=premise.id))
    return render_template("sales/reserve.html", form=form, premise=premise, mode="reserve")
