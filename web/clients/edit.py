"""Creating a card (with the duplicate check) and editing one; bad input writes nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.clients import card as client_card
from engine.clients import use_cases as clients
from models.clients.client import CARD_EDITORS, ClientKind, ConsentKind
from models.db.base import utcnow
from models.users.user import Role, User
from web import edge
from web.clients import bp
from web.clients.forms import ClientForm, NewClientForm
from web.clients.views import kept_card, live_client
from web.extensions import db
from web.security import requires

MANAGER_ROLES = (Role.sales_manager, Role.head_of_sales)


def manager_choices() -> list[tuple[str, str]]:
    users = db.session.scalars(
        select(User)
        .where(User.is_active.is_(True), User.role.in_(MANAGER_ROLES))
        .order_by(User.full_name, User.email)
    ).all()
    return [("", "— не назначен —")] + [(str(u.id), u.display_name) for u in users]


@bp.route("/clients/new", methods=["GET", "POST"])
@requires(CARD_EDITORS)
def new():
    form = NewClientForm()
    form.manager_id.choices = manager_choices()
    if not form.is_submitted():
        form.manager_id.data = current_user.id if current_user.role in MANAGER_ROLES else None
    duplicates = []
    if form.validate_on_submit() and (data := form.card_data(utcnow().date())):
        if not form.create_anyway.data:
            duplicates = clients.possible_duplicates(db.session, data["phones"], data["emails"])
        if not duplicates:
            return _create(form, data)
    return render_template("clients/form.html", form=form, client=None, duplicates=duplicates)


def _create(form: NewClientForm, data: dict):
    client = clients.create(
        db.session,
        data,
        kind=ClientKind(form.kind.data),
        manager_id=form.manager_id.data,
        user_id=current_user.id,
    )
    for wanted, kind in (
        (form.consent_personal_data.data, ConsentKind.personal_data),
        (form.consent_marketing.data, ConsentKind.marketing),
    ):
        if wanted:
            client_card.give_consent(
                db.session,
                client,
                kind,
                channel=form.consent_channel.data,
                text_version=clients.CONSENT_TEXT_VERSION,
                user_id=current_user.id,
            )
    flash("Карточка клиента создана", "success")
    return redirect(url_for("clients.card", client_id=client.id))


@bp.route("/clients/<int:client_id>/edit", methods=["GET", "POST"])
@requires(CARD_EDITORS)
def edit(client_id: int):
    client = live_client(client_id)
    if client.is_merged:
        return kept_card(client)
    if not client.can_edit(current_user):
        abort(403)
    form = ClientForm()
    form.manager_id.choices = manager_choices()
    if not form.is_submitted():
        form.fill_from(client)
    if form.validate_on_submit() and (data := form.card_data(utcnow().date())):
        with edge.unit_of_work(report=False) as work:
            client_card.edit(
                db.session,
                client,
                data,
                kind=ClientKind(form.kind.data),
                confirmed=form.confirmed.data or [],
                manager_id=form.manager_id.data,
                user_id=current_user.id,
            )
            flash("Карточка сохранена", "success")
            return redirect(url_for("clients.card", client_id=client.id))
        form.form_errors.append(work.error.message)
    return render_template("clients/form.html", form=form, client=client, duplicates=[])
