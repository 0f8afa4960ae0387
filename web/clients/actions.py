"""Small actions from the card: consents, resolving a conflict, reserving a premise."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.clients import card as client_card
from engine.sales import use_cases as reservations
from models.catalog.objects import Premise
from models.clients.client import CARD_EDITORS, Client, ConsentKind
from models.sales.reservation import Channel
from web import edge
from web.clients import bp
from web.clients.forms import ConsentForm
from web.extensions import db
from web.inputs import db_int
from web.sales import RESERVERS
from web.security import requires


def editable(client_id: int) -> Client:
    client = db.session.get(Client, client_id) or abort(404)
    if not client.can_edit(current_user):
        abort(403)
    return client


def back_to(client: Client, message: str | None = None, category: str = "danger"):
    if message:
        flash(message, category)
    return redirect(url_for("clients.card", client_id=client.id))


@bp.route("/clients/<int:client_id>/consents", methods=["POST"])
@requires(CARD_EDITORS)
def give_consent(client_id: int):
    client = editable(client_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        errors = [m for messages in form.errors.values() for m in messages]
        return back_to(client, "Согласие не записано: " + "; ".join(errors))
    with edge.unit_of_work():
        client_card.give_consent(
            db.session,
            client,
            ConsentKind(form.kind.data),
            channel=form.channel.data,
            text_version=form.text_version.data,
            user_id=current_user.id,
        )
        flash("Согласие записано", "success")
    return back_to(client)


@bp.route("/clients/<int:client_id>/consents/<int:consent_id>/revoke", methods=["POST"])
@requires(CARD_EDITORS)
def revoke_consent(client_id: int, consent_id: int):
    client = editable(client_id)
    with edge.unit_of_work():
        client_card.revoke_consent(db.session, client, consent_id, user_id=current_user.id)
        flash("Согласие отозвано", "success")
    return back_to(client)


@bp.route("/clients/<int:client_id>/conflicts/<int:conflict_id>", methods=["POST"])
@requires(CARD_EDITORS)
def resolve_conflict(client_id: int, conflict_id: int):
    client = editable(client_id)
    decision = request.form.get("decision")
    if decision not in ("keep", "replace"):
        return back_to(client, "Выберите: оставить подтверждённое или заменить")
    with edge.unit_of_work():
        client_card.resolve_conflict(
            db.session, client, conflict_id, replace=decision == "replace", user_id=current_user.id
        )
        done = "Оставлено подтверждённое значение" if decision == "keep" else "Значение заменено"
        flash(done, "success")
    return back_to(client)


@bp.route("/clients/<int:client_id>/reserve", methods=["POST"])
@requires(RESERVERS)
def reserve(client_id: int):
    found = db.session.get(Client, client_id) or abort(404)
    number = (request.form.get("number") or "").strip()
    premise = db.session.scalar(
        select(Premise).where(
            Premise.building_id == request.form.get("building_id", type=db_int),
            Premise.number == number,
        )
    )
    if premise is None:
        return back_to(found, f"Помещение № {number or '—'} в этом корпусе не найдено")
    with edge.unit_of_work() as work:
        outcome = reservations.reserve(
            db.session,
            premise.id,
            found,
            channel=Channel.offline,
            user=current_user,
            request_approval=bool(request.form.get("request_approval")),
        )
    if work.failed:
        return back_to(found)
    if not outcome.approval_requested:
        return redirect(url_for("sales.reservation", reservation_id=outcome.reservation.id))
    return back_to(
        found, "Лимит броней клиента исчерпан: запрошено согласование руководителя", "info"
    )
