"""The reservations page and a reservation's card with its verbs."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from engine.sales import use_cases as desk
from models.catalog.objects import Building, Premise, Project
from models.db.base import utcnow
from models.db.bounds import DATE_MESSAGE, date_in_range
from models.process.instance import ProcessBusinessKey, ProcessInstance
from models.sales.reservation import (
    CHANNEL_LABELS,
    EVENT_LABELS,
    RESERVATION_STATUS_LABELS,
    Channel,
    NotYourReservation,
    Reservation,
    ReservationStatus,
)
from models.settings.store import get_setting
from models.users.user import Role, User
from web import edge
from web.extensions import db
from web.inputs import db_int, page_number
from web.sales import READERS, RESERVERS, bp
from web.sales.forms import CancelForm, ExtendForm, PayForm
from web.security import requires

TABS = {
    "active": "Действующие",
    "expiring": "Истекают в течение суток",
    "expired": "Истекли",
    "cancelled": "Сняты",
    "converted": "Сделки",
}


@bp.route("/reservations")
@requires(READERS)
def reservations():
    tab = request.args.get("tab", "active")
    tab = tab if tab in TABS else "active"
    query = (
        select(Reservation)
        .join(Premise)
        .join(Building)
        .options(joinedload(Reservation.premise), joinedload(Reservation.client))
    )
    now = utcnow()
    if tab == "expiring":
        query = query.where(
            Reservation.status == ReservationStatus.active,
            Reservation.expires_at <= now + timedelta(hours=24),
        )
    else:
        query = query.where(Reservation.status == ReservationStatus(tab))
    filters = {k: request.args.get(k, type=db_int) for k in ("project_id", "manager_id")}
    if filters["project_id"]:
        query = query.where(Building.project_id == filters["project_id"])
    if filters["manager_id"]:
        query = query.where(Reservation.manager_id == filters["manager_id"])
    channel = request.args.get("channel")
    if channel in Channel.__members__:
        query = query.where(Reservation.channel == Channel(channel))
    order = Reservation.expires_at if tab in ("active", "expiring") else Reservation.id.desc()
    page = db.paginate(query.order_by(order), page=page_number(), per_page=50, error_out=False)
    return render_template(
        "sales/reservations.html",
        page=page,
        tab=tab,
        tabs=TABS,
        now=now,
        channel=channel,
        filters=filters,
        channel_labels=CHANNEL_LABELS,
        projects=db.session.scalars(select(Project).order_by(Project.name)).all(),
        managers=_managers(),
    )


def _managers() -> list[User]:
    """Who a reservation can be filtered by: the sales staff, and whoever manages one already
    (a manager who has left keeps their reservations); not the analyst, lawyer or admin."""
    return db.session.scalars(
        select(User)
        .where(
            User.role.in_((Role.sales_manager, Role.head_of_sales))
            | User.id.in_(select(Reservation.manager_id).distinct())
        )
        .order_by(User.full_name)
    ).all()


@bp.route("/reservations/<int:reservation_id>")
@requires(READERS)
def reservation(reservation_id: int):
    found = db.session.get(Reservation, reservation_id) or abort(404)
    return _card(found)


def _card(found: Reservation, forms: dict | None = None, status: int = 200):
    project_id = found.premise.building.project_id
    forms = forms or {}
    instance_ids = db.session.scalars(
        select(ProcessInstance.id)
        .join(ProcessBusinessKey)
        .where(
            ProcessBusinessKey.name == "reservation_id",
            ProcessBusinessKey.value == str(found.id),
        )
    ).all()
    return render_template(
        "sales/reservation.html",
        reservation=found,
        extend_form=forms.get("extend") or ExtendForm(),
        pay_form=forms.get("pay")
        or PayForm(fee=get_setting(db.session, "reservation.paid_fee", project_id)),
        cancel_form=forms.get("cancel") or CancelForm(),
        can_change=found.is_active and found.can_be_handled_by(current_user),
        max_until=found.starts_at + get_setting(db.session, "reservation.max_term", project_id),
        event_labels=EVENT_LABELS,
        status_labels_r=RESERVATION_STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        instance_ids=instance_ids,
    ), status


@bp.route("/reservations/<int:reservation_id>/extend", methods=["POST"])
@requires(RESERVERS)
def extend(reservation_id: int):
    found = db.session.get(Reservation, reservation_id) or abort(404)
    form = ExtendForm()
    if not form.validate_on_submit():
        return _card(found, {"extend": form}, 422)
    try:
        until = _parse_local(form.until.data, found.premise.building.time_zone)
    except ValueError as error:
        form.until.errors.append(str(error))
        return _card(found, {"extend": form}, 422)
    return _verb(
        found,
        lambda: desk.extend(db.session, found, until, current_user),
        "Бронь продлена",
        "Продление сверх максимального срока отправлено руководителю",
        {"extend": form},
    )


@bp.route("/reservations/<int:reservation_id>/pay", methods=["POST"])
@requires(RESERVERS)
def pay(reservation_id: int):
    found = db.session.get(Reservation, reservation_id) or abort(404)
    form = PayForm()
    if not form.validate_on_submit():
        return _card(found, {"pay": form}, 422)
    return _verb(
        found,
        lambda: desk.pay(db.session, found, form.fee.data, current_user),
        "Оплата зарегистрирована: бронь платная",
        "",
        {"pay": form},
    )


@bp.route("/reservations/<int:reservation_id>/cancel", methods=["POST"])
@requires(RESERVERS)
def cancel(reservation_id: int):
    found = db.session.get(Reservation, reservation_id) or abort(404)
    form = CancelForm()
    form.validate_on_submit()
    reason = (form.reason.data or "").strip()
    return _verb(
        found,
        lambda: desk.cancel(db.session, found, reason, current_user),
        "Бронь снята",
        "Снятие оплаченной брони отправлено на согласование руководителю",
        {"cancel": form},
    )


@bp.route("/reservations/<int:reservation_id>/convert", methods=["POST"])
@requires(RESERVERS)
def convert(reservation_id: int):
    found = db.session.get(Reservation, reservation_id) or abort(404)
    return _verb(
        found,
        lambda: desk.convert(db.session, found, current_user),
        "Бронь переведена в сделку",
        "",
        {},
    )


def _verb(found: Reservation, call, done: str, requested: str, forms: dict):
    """Run the verb; its refusal is shown at the field of its form (or as a flash), and the
    success message only when the verb was done."""
    with edge.unit_of_work(next(iter(forms.values()), None)) as work:
        outcome = call()
        flash(requested if outcome.approval_requested else done, "success")
    if isinstance(work.error, NotYourReservation):  # the card shows it no verb: a flash
        flash(work.error.message, "danger")
        return _card(db.session.get(Reservation, found.id), forms, 403)
    if work.failed:
        return _card(db.session.get(Reservation, found.id), forms, 422)
    return redirect(url_for("sales.reservation", reservation_id=found.id))


def _parse_local(text: str, tz: str) -> datetime:
    """`дд.мм.гггг чч:мм` in the building's time zone; ValueError with the message to show."""
    try:
        moment = datetime.strptime(text.strip(), "%d.%m.%Y %H:%M")
    except ValueError:
        raise ValueError("Введите дату и время: дд.мм.гггг чч:мм") from None
    if not date_in_range(moment):
        raise ValueError(DATE_MESSAGE)
    return moment.replace(tzinfo=ZoneInfo(tz))
