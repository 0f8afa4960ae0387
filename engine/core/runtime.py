"""The engine facade: start, complete, send_message, cancel, retry (timers: engine.tick).

Every call takes the caller's SQLAlchemy session and only flushes: the request or the job that
drove the engine commits once, so workflow state and business rows change in one transaction.
One writer per instance: the row is locked (FOR UPDATE on PostgreSQL) and carries a version
column, so a concurrent writer fails instead of overwriting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, undefer

from engine.bpmn import repository
from engine.core import compensations, forms
from engine.core.actions import ActionContext
from engine.core.assignment import claim, reassign, release
from engine.core.errors import FormInvalid, InstanceNotFound, InstanceStateError, MessageNotExpected
from engine.core.events import APPROVAL_DECIDED
from engine.core.run import advance, record, run_followups, script_engine
from engine.core.workflow_io import definition_by_sha, deserialize, find_task, serialize
from engine.notifications.emit import emit
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus, TaskNotAvailable
from models.process.instance import (
    ProcessBusinessKey,
    ProcessEventKind,
    ProcessInstance,
    ProcessStatus,
)
from models.users.user import User

log = logging.getLogger(__name__)


def start(
    session: Session,
    process_id: str,
    data: Mapping[str, Any] | None = None,
    business_keys: Mapping[str, Any] | None = None,
    user: User | None = None,
    *,
    title: str | None = None,
    now: datetime | None = None,
) -> ProcessInstance:
    """Start the latest version of `process_id` and run it until it waits."""
    now = now or utcnow()
    model = repository.latest_for_start(session, process_id)
    definition = definition_by_sha(model.sha256, session)
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
    keys = {name: value for name, value in (business_keys or {}).items() if value is not None}
    start_data = {**(data or {}), **keys, "started_by": user.id if user else None}
    json.dumps(start_data)  # task data must be plain JSON: fail here, not in the serializer
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(start_data)
    instance = ProcessInstance(
        model_id=model.id,
        process_id=model.process_id,
        status=ProcessStatus.running,
        serialized="",
        title=(f"{model.name}: {title}" if title else _title(model.name, keys))[:300],
        business_keys=keys,
        started_by=user,
        started_at=now,
        keys=[ProcessBusinessKey(name=k, value=str(v)) for k, v in keys.items()],
    )
    session.add(instance)
    session.flush()
    record(session, instance, ProcessEventKind.started, user=user, data=start_data, now=now)
    advance(session, instance, workflow, user=user, now=now, new_instance=True)
    return instance


def complete(
    session: Session,
    task_id: int,
    user: User,
    form_data: Mapping[str, Any],
    *,
    now: datetime | None = None,
) -> HumanTask:
    """Complete a ready user task with the submitted form; FormInvalid carries field errors."""
    now = now or utcnow()
    row, instance = _open_task(session, task_id, user)
    fields = [forms.FormField.from_json(f) for f in row.form]
    values, errors = forms.validate(fields, dict(form_data), approval=row.is_approval)
    if errors:
        raise FormInvalid(errors)
    if row.is_approval:
        values["decided_by"] = user.id
    workflow = deserialize(instance.serialized, session)
    task = find_task(workflow, row.task_guid)
    if task is None or task.state != TaskState.READY:
        raise TaskNotAvailable("Задача уже не ждёт выполнения: обновите страницу")
    task.set_data(**values)
    row.complete(user, now)
    record(
        session,
        instance,
        ProcessEventKind.task_completed,
        user=user,
        data=values,
        task_name=row.task_name,
        task_label=row.task_label,
        now=now,
    )
    if row.is_approval:  # the decision stands whatever the step does next
        _tell_requester(session, instance, row, values, now)
    advance(
        session,
        instance,
        workflow,
        user=user,
        now=now,
        first=task.run,
        closed=row.task_guid,
        refuse=True,
    )
    return row


DECISION_TEXT = {
    "approve": "согласовано",
    "reject": "отказано",
    "return": "возвращено на доработку",
}


def _tell_requester(session, instance: ProcessInstance, row: HumanTask, values, now) -> None:
    text = DECISION_TEXT.get(values.get("decision"), "решение принято")
    if values.get("decision_comment"):
        text += f" — «{values['decision_comment']}»"
    emit(
        session,
        APPROVAL_DECIDED,
        client_id=(instance.business_keys or {}).get("client_id"),
        user_ids=[instance.started_by_id],
        context={"title": row.title, "decision_text": text},
        link=f"/inbox/tasks/{row.id}",
        now=now,
    )


def send_message(
    session: Session,
    name: str,
    key: str,
    value: Any,
    payload: Mapping[str, Any] | None = None,
    *,
    user: User | None = None,
    now: datetime | None = None,
    refuse: bool = True,
) -> list[ProcessInstance]:
    """Deliver message `name` to the waiting instance(s) found by business key `key=value`.

    `refuse`: a business rule an action refuses raises (see `advance`); with False (a timer's
    followup) the receiving instance goes to `error` instead."""
    now = now or utcnow()
    candidates = session.scalars(
        _lockable(
            session,
            select(ProcessInstance)
            .join(ProcessBusinessKey)
            .where(
                ProcessBusinessKey.name == key,
                ProcessBusinessKey.value == str(value),
                ProcessInstance.status == ProcessStatus.waiting,
            )
            .order_by(ProcessInstance.id),
        )
    ).all()
    delivered = []
    for instance in candidates:
        workflow = deserialize(instance.serialized, session)
        waiting = [
            e
            for e in workflow.waiting_events()
            if e.event_type.endswith("Message") or e.event_type == "MessageEventDefinition"
        ]
        if not any(e.name == name for e in waiting):
            continue
        workflow.script_engine = script_engine(session, instance, user)
        workflow.send_event(BpmnEvent(MessageEventDefinition(name), dict(payload or {})))
        record(
            session,
            instance,
            ProcessEventKind.message_received,
            user=user,
            data={"message": name, "payload": dict(payload or {})},
            now=now,
        )
        advance(session, instance, workflow, user=user, now=now, refuse=refuse)
        delivered.append(instance)
    if not delivered:
        log.warning("message %s for %s=%s: no instance waits for it", name, key, value)
        raise MessageNotExpected(f"Ни один процесс не ждёт сообщения «{name}» для {key} = {value}")
    return delivered


def cancel(
    session: Session,
    instance_id: int,
    user: User | None,
    reason: str = "",
    *,
    now: datetime | None = None,
) -> ProcessInstance:
    """Stop an instance (waiting or in `error`) and run its process's compensation, so that
    nothing it held stays held (engine/core/compensations.py)."""
    now = now or utcnow()
    instance = lock(session, instance_id)
    if not instance.is_active and instance.status != ProcessStatus.error:
        raise InstanceStateError("Процесс уже завершён или отменён")
    ctx = ActionContext(session, instance.id, user.id if user else None)
    declared = compensations.of(instance.process_id)
    given_back = declared.func(ctx, dict(instance.business_keys or {}), reason) if declared else ""
    workflow = deserialize(instance.serialized, session)
    workflow.cancel()
    for row in session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
        )
    ):
        row.status = HumanTaskStatus.cancelled
    instance.status = ProcessStatus.cancelled
    instance.next_timer_at = None
    instance.finished_at = now
    instance.serialized = serialize(workflow)
    record(
        session,
        instance,
        ProcessEventKind.cancelled,
        user=user,
        message=reason,
        data={"compensation": given_back} if given_back else None,
        now=now,
    )
    session.flush()
    run_followups(session, ctx.followups, user, now)
    return instance


def retry(
    session: Session, instance_id: int, user: User | None, *, now: datetime | None = None
) -> ProcessInstance:
    """Run the failed task of an instance in `error` again."""
    now = now or utcnow()
    instance = lock(session, instance_id)
    if instance.status != ProcessStatus.error:
        raise InstanceStateError("Повторить можно только процесс в состоянии «Ошибка»")
    workflow = deserialize(instance.serialized, session)
    failed = [
        t
        for t in workflow.get_tasks(state=TaskState.ERROR)
        if t.task_spec.bpmn_id == instance.error_task
    ]
    for task in failed:
        workflow.reset_from_task_id(task.id)
    instance.status = ProcessStatus.running
    instance.error_message = None
    instance.error_task = None
    record(session, instance, ProcessEventKind.retried, user=user, now=now)
    advance(session, instance, workflow, user=user, now=now)
    return instance


def lock(session: Session, instance_id: int) -> ProcessInstance:
    """The instance row, locked, re-read (another writer may have just committed) with its
    serialized workflow in the same statement."""
    instance = session.scalars(
        _lockable(
            session,
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .options(undefer(ProcessInstance.serialized)),
        ).execution_options(populate_existing=True)
    ).first()
    if instance is None:
        raise InstanceNotFound("Процесс не найден")
    return instance


def _open_task(session: Session, task_id: int, user: User) -> tuple[HumanTask, ProcessInstance]:
    """The task and its instance, the instance locked, both re-read in one statement."""
    found = session.execute(
        _lockable(
            session,
            select(HumanTask, ProcessInstance)
            .join(ProcessInstance, HumanTask.instance_id == ProcessInstance.id)
            .where(HumanTask.id == task_id)
            # the starter hears of an approval's decision: read now, not by a second query
            .options(undefer(ProcessInstance.serialized), joinedload(ProcessInstance.started_by)),
        ).execution_options(populate_existing=True)
    ).first()
    if found is None:
        raise TaskNotAvailable("Задача не найдена")
    row, instance = found
    row.require_actor(user)
    return row, instance


def _lockable(session: Session, query):
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=ProcessInstance)
    return query


def _title(name: str, keys: Mapping[str, Any]) -> str:
    if not keys:
        return name
    return f"{name}: " + ", ".join(f"{k}={v}" for k, v in keys.items())


__all__ = [
    "cancel",
    "claim",
    "complete",
    "lock",
    "reassign",
    "release",
    "retry",
    "send_message",
    "start",
]
