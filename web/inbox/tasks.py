"""One task: its page with the form, and the verbs claim, release, reassign, complete."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.core import runtime
from engine.core.errors import FormInvalid
from engine.core.forms import FormField
from models.catalog.objects import Premise
from models.db.base import utcnow
from models.process.human_task import HumanTask, TaskNotAvailable
from models.process.instance import ProcessEvent
from models.users.user import MANAGEMENT, User
from web import edge
from web.extensions import db
from web.inbox import bp, files
from web.inputs import db_int
from web.security import ALL_ROLES, requires


def _task_or_404(task_id: int) -> HumanTask:
    return db.session.get(HumanTask, task_id) or abort(404)


def render_task(task: HumanTask, values=None, errors=None, status: int = 200):
    history = db.session.scalars(
        select(ProcessEvent)
        .where(ProcessEvent.instance_id == task.instance_id)
        .order_by(ProcessEvent.id.desc())
    ).all()
    users = []
    if task.can_reassign(current_user):
        users = db.session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(task.roles()))
            .order_by(User.full_name)
        ).all()
    premise_id = (task.links or {}).get("premise_id")
    return render_template(
        task.template or "inbox/task.html",
        task=task,
        premise=db.session.get(Premise, premise_id) if premise_id else None,
        fields=[FormField.from_json(f) for f in task.form],
        values=values or {},
        errors=errors or {},
        history=history,
        can_act=task.can_act(current_user),
        users=users,
        now=utcnow(),
    ), status


@bp.route("/tasks/<int:task_id>")
@requires(ALL_ROLES)
def task(task_id: int):
    found = _task_or_404(task_id)
    if not found.can_see(current_user):
        abort(403)
    return render_task(found)


@bp.route("/tasks/<int:task_id>/complete", methods=["POST"])
@requires(ALL_ROLES)
def complete(task_id: int):
    submitted = request.form.to_dict()
    uploaded, upload_errors, stored = {}, {}, []
    if request.files:  # only then is the task's form needed before the engine locks it
        fields = [FormField.from_json(f) for f in _task_or_404(task_id).form]
        uploaded, upload_errors, stored = files.store(fields, request.files)
    values = {**submitted, **uploaded}
    with edge.unit_of_work(report=False, only=(FormInvalid, TaskNotAvailable)) as work:
        if upload_errors:
            raise FormInvalid(upload_errors)
        row = edge.redo_guarded(lambda: runtime.complete(db.session, task_id, current_user, values))
        flash(f"Задача «{row.title}» выполнена", "success")
    if work.failed:
        files.discard(stored)
        if isinstance(work.error, FormInvalid):
            return render_task(_task_or_404(task_id), submitted, work.errors, status=422)
        return _unavailable(task_id, work.error)
    return redirect(url_for("inbox.index"))


@bp.route("/tasks/<int:task_id>/claim", methods=["POST"])
@requires(ALL_ROLES)
def claim(task_id: int):
    return _verb(task_id, runtime.claim, "Задача взята в работу")


@bp.route("/tasks/<int:task_id>/release", methods=["POST"])
@requires(ALL_ROLES)
def release(task_id: int):
    return _verb(task_id, runtime.release, "Задача возвращена в общую очередь")


@bp.route("/tasks/<int:task_id>/reassign", methods=["POST"])
@requires(MANAGEMENT)
def reassign(task_id: int):
    to_user = db.session.get(User, request.form.get("user_id", type=db_int) or 0)
    if to_user is None:
        flash("Выберите сотрудника", "danger")
        return redirect(url_for("inbox.task", task_id=task_id))
    return _verb(task_id, lambda s, t, u: runtime.reassign(s, t, u, to_user), "Задача передана")


def _verb(task_id: int, verb, success: str):
    _task_or_404(task_id)
    with edge.unit_of_work(report=False, only=TaskNotAvailable) as work:
        verb(db.session, task_id, current_user)
        flash(success, "success")
    if work.failed:
        return _unavailable(task_id, work.error)
    return redirect(url_for("inbox.task", task_id=task_id))


def _unavailable(task_id: int, error: TaskNotAvailable):
    """A task taken, done or not yours: its own 409 page (other refusals: the edge's page)."""
    _task_or_404(task_id)
    return render_template(
        "errors.html", code=409, title="Задача недоступна", message=error.message
    ), 409
