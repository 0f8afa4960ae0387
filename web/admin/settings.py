"""Business settings page: reservation terms, limits and windows, globally and per project.

The head of sales owns the sales regulations, so admin and head_of_sales both view and edit.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField

from models.catalog.objects import Project
from models.settings.store import (
    DEFINITIONS,
    InvalidSettingValue,
    all_settings,
    display_value,
    reset_setting,
    set_setting,
)
from models.users.user import MANAGEMENT
from web import edge, navigation
from web.admin import bp
from web.extensions import db
from web.security import requires

navigation.add("Настройки", "admin.settings", MANAGEMENT)


class SettingForm(FlaskForm):
    value = StringField("Новое значение")


@bp.route("/settings")
@requires(MANAGEMENT)
def settings():
    return _page(_selected_project())


@bp.route("/settings/<key>", methods=["POST"])
@requires(MANAGEMENT)
def setting_save(key: str):
    definition = DEFINITIONS.get(key) or abort(404)
    project = _selected_project()
    form = SettingForm(prefix=_prefix(key))
    if form.validate_on_submit():
        # other DomainErrors: the 422 page
        with edge.unit_of_work(form, only=InvalidSettingValue):
            row = set_setting(
                db.session, key, form.value.data, project_id=_id(project), user_id=current_user.id
            )
            shown = display_value(definition, row.value)
            flash(f"Сохранено: «{definition.label}» = {shown}", "success")
            return redirect(url_for("admin.settings", project=_id(project)))
    return _page(project, failed=(key, form)), 422


@bp.route("/settings/<key>/reset", methods=["POST"])
@requires(MANAGEMENT)
def setting_reset(key: str):
    definition = DEFINITIONS.get(key) or abort(404)
    project = _selected_project()
    removed = reset_setting(db.session, key, project_id=_id(project))  # DomainError → 422 page
    if removed:
        what = "переопределение убрано" if project else "возвращено значение по умолчанию"
        flash(f"«{definition.label}»: {what}", "success")
    return redirect(url_for("admin.settings", project=_id(project)))


def _page(project: Project | None, failed: tuple[str, SettingForm] | None = None):
    states = all_settings(db.session, _id(project))
    forms = {
        state.key: SettingForm(
            prefix=_prefix(state.key), formdata=None, data={"value": state.stored}
        )
        for state in states
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    projects = db.session.scalars(select(Project).order_by(Project.name)).all()
    return render_template(
        "admin/settings.html", states=states, forms=forms, project=project, projects=projects
    )


def _selected_project() -> Project | None:
    project_id = request.args.get("project", type=int)
    if project_id is None:
        return None
    return db.session.get(Project, project_id) or abort(404)


def _id(project: Project | None) -> int | None:
    return project.id if project is not None else None


def _prefix(key: str) -> str:
    return key.replace(".", "_")
