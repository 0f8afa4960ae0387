"""Moving running instances of older versions to a newer version: a preview with the reasons
the engine gives for each instance, and one action moving the ones chosen."""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask_login import current_user
from sqlalchemy import select

from engine.authoring import migration
from models.process.instance import ProcessModel
from models.users.user import Role
from web.extensions import db
from web.inputs import db_int
from web.processes import bp
from web.security import requires

MODELERS = (Role.analyst, Role.admin)


@bp.route("/<process_id>/versions/<int:version>/migrate", methods=["GET", "POST"])
@requires(*MODELERS)
def migrate(process_id: str, version: int):
    target = db.session.scalar(
        select(ProcessModel).where(
            ProcessModel.process_id == process_id, ProcessModel.version == version
        )
    ) or abort(404)
    result = None
    if request.method == "POST":
        result = _move(target)
    return render_template(
        "processes/migration.html",
        target=target,
        candidates=migration.preview(db.session, target),
        result=result,
    )


def _move(target: ProcessModel):
    ids = []
    for raw in request.form.getlist("instance_id"):
        try:
            ids.append(db_int(raw))
        except ValueError:
            flash("Неверный номер процесса в запросе", "danger")
            return None
    if not ids:
        flash("Отметьте процессы, которые нужно перенести", "warning")
        return None
    result = migration.move(db.session, target, ids, current_user)
    if result.moved:
        flash(f"Перенесено на версию {target.version}: {len(result.moved)}", "success")
    if result.skipped:
        flash(f"Не перенесено: {len(result.skipped)} (причины ниже)", "warning")
    return result
