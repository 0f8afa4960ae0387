"""Merging two cards of one person (head of sales, admin)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.clients import search as client_search
from engine.clients import use_cases as clients
from models.clients.client import Client
from models.clients.personal_data import can_see_personal_data
from models.users.user import MANAGEMENT
from web import edge
from web.clients import bp
from web.clients.forms import MergeForm
from web.clients.views import kept_card, live_client
from web.extensions import db
from web.inputs import db_int
from web.security import requires


@bp.route("/clients/<int:client_id>/merge", methods=["GET", "POST"])
@requires(MANAGEMENT)
def merge(client_id: int):
    this = live_client(client_id)
    if this.is_merged:
        return kept_card(this)
    form = MergeForm()
    if not form.is_submitted():
        form.other_id.data = request.args.get("other", "")
    other = _other(form.other_id.data)
    status = 200
    if form.validate_on_submit() and other is not None:
        keep, drop = (this, other) if form.keep.data == "this" else (other, this)
        with edge.unit_of_work(report=False) as work:
            clients.merge(db.session, keep, drop, current_user)
            flash(f"Карточки объединены: осталась № {keep.id}", "success")
            return redirect(url_for("clients.card", client_id=keep.id))
        form.form_errors.append(work.error.message)
        status = 422
    elif form.is_submitted() and other is None:
        form.form_errors.append("Вторая карточка не найдена")
        status = 422
    q = (request.args.get("q") or "").strip()[:100]
    identifiers = can_see_personal_data(current_user)
    found = client_search.search(db.session, q, identifiers=identifiers).clients if q else []
    page = render_template(
        "clients/merge.html", form=form, client=this, other=other, q=q, found=found
    )
    return page, status


def _other(value) -> Client | None:
    try:
        return db.session.get(Client, db_int(value)) if value else None
    except (TypeError, ValueError):
        return None
