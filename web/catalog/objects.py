"""Projects (ЖК) and buildings: lists, cards and edit pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from sqlalchemy import func, select

from models.catalog.objects import (
    Building,
    ConstructionStage,
    Floor,
    Premise,
    PremiseStatus,
    Project,
)
from models.users.user import MANAGEMENT
from web.catalog import bp
from web.catalog.forms import BuildingForm, ProjectForm
from web.extensions import db
from web.security import ALL_ROLES, requires


def status_counts(*where) -> dict[PremiseStatus, int]:
    rows = db.session.execute(
        select(Premise.status, func.count()).where(*where).group_by(Premise.status)
    )
    return {status: count for status, count in rows}


@bp.route("/projects")
@requires(ALL_ROLES)
def projects():
    rows = db.session.scalars(select(Project).order_by(Project.name)).all()
    counts = {
        project_id: count
        for project_id, count in db.session.execute(
            select(Building.project_id, func.count(Premise.id))
            .join(Premise, Premise.building_id == Building.id)
            .group_by(Building.project_id)
        )
    }
    available = {
        project_id: count
        for project_id, count in db.session.execute(
            select(Building.project_id, func.count(Premise.id))
            .join(Premise, Premise.building_id == Building.id)
            .where(Premise.status == PremiseStatus.available)
            .group_by(Building.project_id)
        )
    }
    return render_template(
        "catalog/projects.html", projects=rows, counts=counts, available=available
    )


@bp.route("/projects/new", methods=["GET", "POST"])
@requires(MANAGEMENT)
def project_new():
    form = ProjectForm()
    if form.validate_on_submit():
        if _project_name_taken(form.name.data.strip()):
            form.name.errors.append("ЖК с таким названием уже есть")
        else:
            project = Project()
            _fill_project(project, form)
            db.session.add(project)
            db.session.flush()  # its id, for the redirect
            flash(f"ЖК «{project.name}» создан", "success")
            return redirect(url_for("catalog.project", project_id=project.id))
    return render_template("catalog/project_form.html", form=form, project=None)


@bp.route("/projects/<int:project_id>")
@requires(ALL_ROLES)
def project(project_id: int):
    project = db.session.get(Project, project_id) or abort(404)
    per_building = {
        (building_id, status): count
        for building_id, status, count in db.session.execute(
            select(Premise.building_id, Premise.status, func.count())
            .join(Building, Building.id == Premise.building_id)
            .where(Building.project_id == project.id)
            .group_by(Premise.building_id, Premise.status)
        )
    }
    return render_template("catalog/project.html", project=project, per_building=per_building)


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@requires(MANAGEMENT)
def project_edit(project_id: int):
    project = db.session.get(Project, project_id) or abort(404)
    form = ProjectForm(obj=project)
    if form.validate_on_submit():
        if _project_name_taken(form.name.data.strip(), except_id=project.id):
            form.name.errors.append("ЖК с таким названием уже есть")
        else:
            _fill_project(project, form)
            flash("Изменения сохранены", "success")
            return redirect(url_for("catalog.project", project_id=project.id))
    return render_template("catalog/project_form.html", form=form, project=project)


@bp.route("/projects/<int:project_id>/buildings/new", methods=["GET", "POST"])
@requires(MANAGEMENT)
def building_new(project_id: int):
    project = db.session.get(Project, project_id) or abort(404)
    form = BuildingForm()
    if form.validate_on_submit():
        if _building_name_taken(project, form.name.data.strip()):
            form.name.errors.append("В этом ЖК уже есть корпус с таким названием")
        else:
            building = Building(project=project)
            _fill_building(building, form)
            for number in range(1, (form.sections_count.data or 1) + 1):
                building.ensure_section(number)
            db.session.add(building)
            db.session.flush()  # its id, for the redirect
            flash(f"Корпус «{building.name}» создан", "success")
            return redirect(url_for("catalog.building", building_id=building.id))
    return render_template("catalog/building_form.html", form=form, project=project, building=None)


@bp.route("/buildings/<int:building_id>")
@requires(ALL_ROLES)
def building(building_id: int):
    building = db.session.get(Building, building_id) or abort(404)
    counts = status_counts(Premise.building_id == building.id)
    return render_template(
        "catalog/building.html", building=building, counts=counts, total=sum(counts.values())
    )


@bp.route("/buildings/<int:building_id>/edit", methods=["GET", "POST"])
@requires(MANAGEMENT)
def building_edit(building_id: int):
    building = db.session.get(Building, building_id) or abort(404)
    form = BuildingForm(obj=building, sections_count=len(building.sections) or 1)
    if form.validate_on_submit():
        problem = _building_edit_problem(building, form)
        if problem:
            field, message = problem
            getattr(form, field).errors.append(message)
        else:
            _fill_building(building, form)
            for number in range(1, (form.sections_count.data or 1) + 1):
                building.ensure_section(number)
            flash("Изменения сохранены", "success")
            return redirect(url_for("catalog.building", building_id=building.id))
    return render_template(
        "catalog/building_form.html", form=form, project=building.project, building=building
    )


def _building_edit_problem(building: Building, form: BuildingForm) -> tuple[str, str] | None:
    if _building_name_taken(building.project, form.name.data.strip(), except_id=building.id):
        return "name", "В этом ЖК уже есть корпус с таким названием"
    lowest, highest = db.session.execute(
        select(func.min(Floor.number), func.max(Floor.number))
        .join(Premise, Premise.floor_id == Floor.id)
        .where(Premise.building_id == building.id)
    ).one()
    if highest is not None and highest > form.floors_above.data:
        return "floors_above", f"В корпусе есть помещения на {highest} этаже"
    if lowest is not None and lowest < -(form.floors_below.data or 0):
        return "floors_below", f"В корпусе есть помещения на {lowest} этаже"
    used_sections = max((s.number for s in building.sections if s.floors), default=0)
    if (form.sections_count.data or 1) < used_sections:
        return "sections_count", f"В секции {used_sections} есть помещения"
    return None


def _project_name_taken(name: str, except_id: int | None = None) -> bool:
    # Compared in Python: SQLite's lower() folds only ASCII, so «Парк» ≠ «парк» there.
    folded = name.casefold()
    return any(
        other.casefold() == folded and project_id != except_id
        for project_id, other in db.session.execute(select(Project.id, Project.name))
    )


def _building_name_taken(project: Project, name: str, except_id: int | None = None) -> bool:
    return any(b.name.lower() == name.lower() and b.id != except_id for b in project.buildings)


def _fill_project(project: Project, form: ProjectForm) -> None:
    project.name = form.name.data.strip()
    project.city = (form.city.data or "").strip()
    project.developer_name = (form.developer_name.data or "").strip()
    project.description = (form.description.data or "").strip()


def _fill_building(building: Building, form: BuildingForm) -> None:
    building.name = form.name.data.strip()
    building.address = form.address.data.strip()
    building.stage = ConstructionStage(form.stage.data)
    building.commissioning_date = form.commissioning_date.data
    building.escrow_bank = (form.escrow_bank.data or "").strip()
    building.time_zone = form.time_zone.data
    building.floors_above = form.floors_above.data
    building.floors_below = form.floors_below.data or 0
