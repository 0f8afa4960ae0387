"""The process monitor: instances by process, status and business key; one instance on its
diagram with the path taken, its data and history; retry and cancel."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from engine.core import compensations, runtime
from engine.core.workflow_io import deserialize, task_data_json
from engine.sales import consistency
from models.db.errors import DomainError
from models.process.instance import (
    PROCESS_STATUS_LABELS,
    ProcessBusinessKey,
    ProcessEvent,
    ProcessInstance,
    ProcessModel,
    ProcessStatus,
)
from models.users.user import Role
from web import edge
from web.extensions import db
from web.inputs import page_number
from web.processes import bp
from web.processes.catalog import bpmn_file
from web.security import requires

VIEWERS = (Role.admin, Role.analyst)


@bp.route("/instances")
@requires(*VIEWERS)
def instances():
    query = select(ProcessInstance).order_by(ProcessInstance.id.desc())
    process_id = request.args.get("process") or None
    status = request.args.get("status") or None
    key = (request.args.get("key") or "").strip()
    if process_id:
        query = query.where(ProcessInstance.process_id == process_id)
    if status in ProcessStatus.__members__:
        query = query.where(ProcessInstance.status == ProcessStatus(status))
    if "=" in key:
        name, value = (part.strip() for part in key.split("=", 1))
        query = query.join(ProcessBusinessKey).where(
            ProcessBusinessKey.name == name, ProcessBusinessKey.value == value
        )
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    processes = db.session.scalars(select(ProcessModel.process_id).distinct()).all()
    counts = dict(
        db.session.execute(
            select(ProcessInstance.status, func.count()).group_by(ProcessInstance.status)
        ).all()
    )
    return render_template(
        "processes/instances.html",
        page=page,
        processes=sorted(processes),
        statuses=PROCESS_STATUS_LABELS,
        counts=counts,
        process_id=process_id,
        status=status,
        key=key,
        held=consistency.held_without_process(db.session),
    )


@bp.route("/instances/<int:instance_id>")
@requires(*VIEWERS)
def instance(instance_id: int):
    found = db.session.get(ProcessInstance, instance_id) or abort(404)
    workflow = deserialize(found.serialized, db.session)
    declared = compensations.of(found.process_id)
    completed, current, data = _path(workflow)
    taken = _taken_flows(workflow)
    history = db.session.scalars(
        select(ProcessEvent)
        .where(ProcessEvent.instance_id == found.id)
        .order_by(ProcessEvent.id.desc())
    ).all()
    return render_template(
        "processes/instance.html",
        instance=found,
        completed=sorted(completed),
        current=sorted(current),
        taken=taken,
        data=data,
        history=history,
        compensation=declared.description if declared else "",
    )


@bp.route("/instances/<int:instance_id>/diagram.bpmn")
@requires(*VIEWERS)
def instance_diagram(instance_id: int):
    found = db.session.get(ProcessInstance, instance_id) or abort(404)
    model = found.model
    return bpmn_file(model.bpmn_xml, f"{model.process_id}_v{model.version}.bpmn")


@bp.route("/instances/<int:instance_id>/retry", methods=["POST"])
@requires(Role.admin)
def retry(instance_id: int):
    with edge.unit_of_work():
        runtime.retry(db.session, instance_id, current_user)
        flash("Процесс запущен повторно", "success")
    return redirect(url_for("processes.instance", instance_id=instance_id))


@bp.route("/instances/<int:instance_id>/cancel", methods=["POST"])
@requires(Role.admin)
def cancel(instance_id: int):
    """Cancel with a reason; the process's compensation gives back what it held."""
    reason = (request.form.get("reason") or "").strip()[:500]
    with edge.unit_of_work():
        if not reason:
            raise DomainError("Укажите причину отмены", field="reason")
        instance = runtime.cancel(db.session, instance_id, current_user, reason)
        flash(_cancelled_text(instance), "success")
    return redirect(url_for("processes.instance", instance_id=instance_id))


def _cancelled_text(instance: ProcessInstance) -> str:
    given_back = db.session.scalar(
        select(ProcessEvent.data)
        .where(ProcessEvent.instance_id == instance.id, ProcessEvent.kind == "cancelled")
        .order_by(ProcessEvent.id.desc())
        .limit(1)
    )
    done = (given_back or {}).get("compensation")
    return f"Процесс отменён. {done}" if done else "Процесс отменён"


@bp.route("/held/<int:premise_id>/release", methods=["POST"])
@requires(Role.admin)
def release_held(premise_id: int):
    """Give back a premise the consistency check found held without a live process."""
    reason = (request.form.get("reason") or "").strip()[:500]
    with edge.unit_of_work():
        flash(consistency.release(db.session, premise_id, current_user, reason), "success")
    return redirect(url_for("processes.instances") + "#held")


def _path(workflow) -> tuple[set[str], set[str], dict]:
    """BPMN ids of completed and current elements, and the latest task data."""
    from SpiffWorkflow.util.task import TaskState

    completed, current = set(), set()
    latest = None
    for task in workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        if task.state == TaskState.COMPLETED:
            completed.add(bpmn_id)
            latest = (
                task
                if latest is None or task.last_state_change > latest.last_state_change
                else latest
            )
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED, TaskState.ERROR):
            current.add(bpmn_id)
    data = task_data_json(latest) if latest is not None else {}
    return completed - current, current, data


def _taken_flows(workflow) -> list[list[str]]:
    """[source, target] BPMN ids of the sequence flows actually taken, from the task tree.

    A gateway's branches not taken are not in the tree; each other thread's copy of a join is
    cancelled when the join fires, but its flow was taken all the same.
    """
    from SpiffWorkflow.specs.Join import Join
    from SpiffWorkflow.util.task import TaskState

    passed = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED
    passed |= TaskState.ERROR
    taken = set()
    for task in workflow.get_tasks():
        target = getattr(task.task_spec, "bpmn_id", None)
        joined = task.state == TaskState.CANCELLED and isinstance(task.task_spec, Join)
        if not target or not (task.state & passed or joined):
            continue
        parent = task.parent
        while parent is not None and not getattr(parent.task_spec, "bpmn_id", None):
            parent = parent.parent
        if parent is not None and parent.state == TaskState.COMPLETED:
            taken.add((parent.task_spec.bpmn_id, target))
    return sorted([source, target] for source, target in taken)
