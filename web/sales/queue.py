"""The offline queue of a premise: add a client, remove, reorder (head of sales)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.sales import use_cases as reservations
from models.catalog.objects import Premise
from models.sales.queue import QueueEntry
from web import edge
from web.extensions import db
from web.sales import RESERVERS, bp
from web.sales.forms import QueueForm
from web.sales.reserve import client_from
from web.security import requires


@bp.route("/premises/<int:premise_id>/queue", methods=["GET", "POST"])
@requires(RESERVERS)
def enqueue(premise_id: int):
    premise = db.session.get(Premise, premise_id) or abort(404)
    form = QueueForm()
    if form.validate_on_submit():
        with edge.unit_of_work(form):
            entry = reservations.enqueue(db.session, premise.id, client_from(form), current_user)
            flash(f"Клиент поставлен в очередь: место {entry.position}", "success")
            return redirect(url_for("catalog.premise", premise_id=premise.id))
    return render_template("sales/reserve.html", form=form, premise=premise, mode="queue")


@bp.route("/queue/<int:entry_id>/remove", methods=["POST"])
@requires(RESERVERS)
def dequeue(entry_id: int):
    entry = db.session.get(QueueEntry, entry_id) or abort(404)
    premise_id = entry.premise_id
    with edge.unit_of_work():
        reservations.remove_from_queue(db.session, entry, current_user)
        flash("Клиент убран из очереди", "success")
    return redirect(url_for("catalog.premise", premise_id=premise_id))


@bp.route("/queue/<int:entry_id>/move", methods=["POST"])
@requires(RESERVERS)
def move(entry_id: int):
    entry = db.session.get(QueueEntry, entry_id) or abort(404)
    step = -1 if request.form.get("direction") == "up" else 1
    premise_id = entry.premise_id
    with edge.unit_of_work():
        reservations.move_in_queue(db.session, entry, step, current_user)
        flash("Порядок очереди изменён", "success")
    return redirect(url_for("catalog.premise", premise_id=premise_id))
