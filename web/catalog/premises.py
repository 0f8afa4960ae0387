"""Premises: the filtered list, the card with its history, the edit page, the layout plan."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from engine.catalog.use_cases import PremiseValues, save_premise
from engine.sales.use_cases import deal_reservation, waiting_entries
from models.catalog.kinds import MANUAL_STATUSES
from models.catalog.objects import (
    STATUS_LABELS,
    Building,
    Premise,
    PremiseKind,
    PremiseStatus,
    Project,
)
from models.clients.personal_data import HIDDEN, can_see_buyer_name, can_see_clients
from models.sales.reservation import Reservation, ReservationStatus
from models.users.user import MANAGEMENT
from web import edge
from web.catalog import bp
from web.catalog.filters import ROOM_CHOICES, PremiseFilter
from web.catalog.forms import PremiseForm
from web.extensions import db
from web.inputs import db_int, page_number
from web.sales import READERS as RESERVATION_READERS
from web.security import ALL_ROLES, requires


@bp.route("/premises")
@requires(ALL_ROLES)
def premises():
    premise_filter = PremiseFilter.from_args(request.args)
    query = select(Premise).join(Building).options(joinedload(Premise.building))
    project_id = request.args.get("project_id", type=db_int)
    building_id = request.args.get("building_id", type=db_int)
    if project_id:
        query = query.where(Building.project_id == project_id)
    if building_id:
        query = query.where(Premise.building_id == building_id)
    # Numbers as people count them (1, 2, 10, 100), not as text (1, 10, 100, 2): shorter first.
    by_number = (func.length(Premise.number), Premise.number)
    query = query.where(*premise_filter.where()).order_by(Building.name, *by_number)
    page = db.paginate(
        query, page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False
    )
    return render_template(
        "catalog/premises.html",
        page=page,
        f=premise_filter,
        projects=db.session.scalars(select(Project).order_by(Project.name)).all(),
        project_id=project_id,
        building_id=building_id,
        room_choices=ROOM_CHOICES,
        statuses=list(PremiseStatus),
        kinds=list(PremiseKind),
    )


@bp.route("/premises/<int:premise_id>")
@requires(ALL_ROLES)
def premise(premise_id: int):
    premise = db.session.get(Premise, premise_id) or abort(404)
    active = db.session.scalar(
        select(Reservation).where(
            Reservation.premise_id == premise.id, Reservation.status == ReservationStatus.active
        )
    )
    return render_template(
        "catalog/premise.html",
        premise=premise,
        reservation=active,
        queue=waiting_entries(db.session, premise.id),
        names_clients=can_see_clients(current_user),
        links_reservation=current_user.role in RESERVATION_READERS,
        hidden_value=HIDDEN,
        deal=deal_reservation(db.session, premise) if can_see_buyer_name(current_user) else None,
    )


@bp.route("/buildings/<int:building_id>/premises/new", methods=["GET", "POST"])
@requires(MANAGEMENT)
def premise_new(building_id: int):
    building = db.session.get(Building, building_id) or abort(404)
    form = PremiseForm()
    if form.validate_on_submit() and _save(form, Premise(building=building), building):
        flash("Помещение создано", "success")
        premise_id = db.session.scalar(
            select(Premise.id).where(
                Premise.building_id == building.id, Premise.number == form.number.data.strip()
            )
        )
        return redirect(url_for("catalog.premise", premise_id=premise_id))
    return render_template("catalog/premise_form.html", form=form, building=building, premise=None)


@bp.route("/premises/<int:premise_id>/edit", methods=["GET", "POST"])
@requires(MANAGEMENT)
def premise_edit(premise_id: int):
    premise = db.session.get(Premise, premise_id) or abort(404)
    form = PremiseForm(data=_form_values(premise))
    if premise.status not in MANUAL_STATUSES:
        form.status.render_kw = {"disabled": True}
        form.status.choices = [(premise.status.value, STATUS_LABELS[premise.status])]
    if form.validate_on_submit() and _save(form, premise, premise.building):
        flash("Изменения сохранены", "success")
        return redirect(url_for("catalog.premise", premise_id=premise.id))
    return render_template(
        "catalog/premise_form.html", form=form, building=premise.building, premise=premise
    )


def _form_values(premise: Premise) -> dict:
    """The edit form's starting values. Not `obj=premise`: its `section` and `floor` are
    objects, which an integer field reports as an error on every submit."""
    plain = ("number", "rooms", "total_area", "living_area", "kitchen_area", "price")
    flags = ("is_studio", "is_euro_layout", "has_terrace")
    values = {name: getattr(premise, name) for name in plain + flags}
    values.update(
        section=premise.section.number,
        floor=premise.floor.number,
        kind=premise.kind.value,
        finishing=premise.finishing.value,
        status=premise.status.value,
    )
    return values


def _save(form: PremiseForm, premise: Premise, building: Building) -> bool:
    """Apply the form; on a rule violation put the message next to its field, write nothing."""
    upload = form.layout_image.data
    suffix = None
    if upload and getattr(upload, "filename", ""):
        suffix = layout_suffix(upload)
        if suffix is None:
            form.layout_image.errors.append("Файл не является изображением PNG или JPG")
            return False
    values = PremiseValues(**{name: getattr(form, name).data for name in VALUE_FIELDS})
    with edge.unit_of_work(report=False) as work:
        save_premise(db.session, premise, building, values, by_user_id=current_user.id)
    if work.failed:
        target = getattr(form, work.error.field or "", None) or form.number
        target.errors.append(work.error.message)
        return False
    if suffix is not None:
        premise.layout_image = _store_layout(upload, suffix)
    return True


VALUE_FIELDS = tuple(PremiseValues.__dataclass_fields__)


# Plans are served from our own origin, so only raster images whose bytes say so are kept
# (an SVG or an HTML file renamed .png could carry a script).
IMAGE_SIGNATURES = {b"\x89PNG\r\n\x1a\n": ".png", b"\xff\xd8\xff": ".jpg"}


def layout_suffix(upload) -> str | None:
    head = upload.stream.read(8)
    upload.stream.seek(0)
    return next((sfx for sig, sfx in IMAGE_SIGNATURES.items() if head.startswith(sig)), None)


def _store_layout(upload, suffix: str) -> str:
    name = f"{uuid.uuid4().hex}{suffix}"
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "layouts"
    folder.mkdir(parents=True, exist_ok=True)
    upload.save(folder / name)
    return name


@bp.route("/premises/<int:premise_id>/layout")
@requires(ALL_ROLES)
def premise_layout(premise_id: int):
    premise = db.session.get(Premise, premise_id) or abort(404)
    if not premise.layout_image:
        abort(404)
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "layouts"
    return send_from_directory(folder, premise.layout_image)
