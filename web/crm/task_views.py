"""One CRM task: its page, and the verbs complete (with a result) and reschedule."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.crm import use_cases as crm
from models.crm.history import SALES_ROLES, CrmTask
from models.db.base import utcnow
from models.users.user import User
from web import edge
from web.crm import READERS, WRITERS, bp
from web.crm.forms import form_values, local_input, parse_moment
from web.crm.timeline_globals import back_to_card
from web.extensions import db
from web.formatting import ru_datetime
from web.inputs import db_int
from web.security import requires


def _task_or_404(task_id: int) -> CrmTask:
    return db.session.get(CrmTask, task_id) or abort(404)


def render_task(task: CrmTask, form: str | None = None, errors=None, status: int = 200):
    may_act = current_user.role in WRITERS and task.can_complete(current_user)
    owners = []
    if may_act and CrmTask.can_hand_out(current_user):
        owners = db.session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(SALES_ROLES))
            .order_by(User.full_name, User.email)
        ).all()
    return render_template(
        "crm/task.html",
        task=task,
        now=utcnow(),
        may_act=may_act,
        owners=owners,
        form=form,
        values=form_values(request.form) if form else {},
        errors=errors or {},
        due_input=local_input(task.due_at),
    ), status


@bp.route("/tasks/<int:crm_task_id>")
@requires(READERS)
def task(crm_task_id: int):
    return render_task(_task_or_404(crm_task_id))


@bp.route("/tasks/<int:crm_task_id>/complete", methods=["POST"])
@requires(WRITERS)
def complete_task(crm_task_id: int):
    found = _task_or_404(crm_task_id)
    if found.is_open and not found.can_complete(current_user):
        abort(403)
    with edge.unit_of_work(report=False) as work:
        crm.complete_task(db.session, found.id, current_user, request.form.get("result"))
        flash(f"Задача «{found.title}» выполнена: результат записан в историю клиента", "success")
        return redirect(back_to_card(found.client_id, request.form.get("next")))
    return _refused(crm_task_id, "complete", work)


@bp.route("/tasks/<int:crm_task_id>/reschedule", methods=["POST"])
@requires(WRITERS)
def reschedule_task(crm_task_id: int):
    found = _task_or_404(crm_task_id)
    if found.is_open and not found.can_reschedule(current_user):
        abort(403)
    with edge.unit_of_work(report=False) as work:
        due_at = parse_moment(request.form.get("due_at"), "due_at")
        owner_id = request.form.get("owner_id", type=db_int)
        crm.reschedule_task(db.session, found.id, current_user, due_at, owner_id=owner_id)
        flash(f"Срок задачи перенесён на {ru_datetime(found.due_at)}", "success")
        return redirect(url_for("crm.task", crm_task_id=found.id))
    return _refused(crm_task_id, "reschedule", work)


def _refused(task_id: int, form: str, work: edge.unit_of_work):
    return render_task(_task_or_404(task_id), form, work.errors, 422)
