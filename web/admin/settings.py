"""Business settings page: reservation terms, limits and windows, globally and per project.

The head of sales owns the sales regulations, so admin and head_of_sales both view and edit.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField

from models.catalog.objects import Project
from models.settings.store import (
    DEFINITIONS,
    InvalidSettingValue,
    SettingDefinition,
    SettingState,
    SettingType,
    all_settings,
    display_value,
    reset_setting,
    set_setting,
)
from models.settings.values import NBSP, parse_value
from models.users.user import MANAGEMENT
from web import edge, navigation
from web.admin import bp
from web.extensions import db
from web.forms import Form
from web.inputs import db_int
from web.security import requires

navigation.add("Настройки", "admin.settings", MANAGEMENT, "Администрирование")


class SettingForm(Form):
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
    if not definition.can_be_changed_by(current_user.role):
        abort(403)
    form = SettingForm(prefix=_prefix(key))
    if form.validate_on_submit():
        # other DomainErrors: the 422 page
        if _unchanged(definition, project, form.value.data):
            flash(f"«{definition.label}»: значение не изменилось", "info")
            return redirect(url_for("admin.settings", project=_id(project)))
        with edge.unit_of_work(form, only=InvalidSettingValue):
            row = set_setting(
                db.session,
                key,
                form.value.data,
                project_id=_id(project),
                user_id=current_user.id,
                role=current_user.role,
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
    # a DomainError: its page (422, or 403 for an administrator's setting)
    removed = reset_setting(db.session, key, project_id=_id(project), role=current_user.role)
    if removed:
        what = "переопределение убрано" if project else "возвращено значение по умолчанию"
        flash(f"«{definition.label}»: {what}", "success")
    return redirect(url_for("admin.settings", project=_id(project)))


def _page(project: Project | None, failed: tuple[str, SettingForm] | None = None):
    states = all_settings(db.session, _id(project))
    forms = {
        state.key: SettingForm(
            prefix=_prefix(state.key), formdata=None, data={"value": _shown(state)}
        )
        for state in states
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    projects = db.session.scalars(select(Project).order_by(Project.name)).all()
    return render_template(
        "admin/settings.html", states=states, forms=forms, project=project, projects=projects
    )


def _shown(state: SettingState) -> str:
    """The value the form starts with: the one in force here, money the Russian way."""
    if state.definition.type is SettingType.money:
        return display_value(state.definition, state.stored).removesuffix(f"{NBSP}₽")
    return state.stored


def _unchanged(definition: SettingDefinition, project: Project | None, raw: str) -> bool:
    """The value sent is the one in force here, which the form showed: storing it would only
    add a copy (a project override equal to the general value, a general value equal to the
    default) or a new date. What `set_setting` refuses is left to it."""
    if project is not None and not definition.per_project:
        return False
    try:
        _, canonical = parse_value(definition, raw)
    except InvalidSettingValue:
        return False
    state = next(s for s in all_settings(db.session, _id(project)) if s.key == definition.key)
    own = state.project_row if project is not None else state.global_row
    if own is not None:  # even an unreadable one: saving a good value repairs it
        return own.value == canonical
    return canonical == parse_value(definition, state.stored)[1]


def _selected_project() -> Project | None:
    project_id = request.args.get("project", type=db_int)
    if project_id is None:
        return None
    return db.session.get(Project, project_id) or abort(404)


def _id(project: Project | None) -> int | None:
    return project.id if project is not None else None


def _prefix(key: str) -> str:
    return key.replace(".", "_")
