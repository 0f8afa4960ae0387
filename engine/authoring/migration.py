"""Moving running instances of a process to a newer published version.

SpiffWorkflow's own diff utilities (`SpiffWorkflow.bpmn.util.diff`, applied in
engine/migration_plan.py) align the task specs of the instance's version with the target's and
tell which tasks of the instance are affected. What may move, in the engine's words:

- an instance in `error` does not move (retry or cancel it first);
- a step that already ran (completed or started) must be the same in the new version: a change
  to it, or its removal, cannot be applied to what has already happened;
- a step the instance is waiting on (a user task, a timer, a message) may change, but must not
  disappear: a ready user task would vanish from the inbox.

`preview` answers per instance, in Russian, without writing. `move` locks each instance,
checks it again, migrates it in a savepoint of its own (one bad instance never stops the others),
stores the state naming the target version's spec, re-syncs the inbox rows (titles, deadlines,
forms may have changed), runs the engine on (the new version may make a step ready) and records
a `migrated` event with both versions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine import bpmn
from engine.authoring.migration_plan import migrate
from engine.core.human_tasks import new_row  # the row a ready task gets; reused to refresh it
from engine.core.run import advance, describe, record, script_engine
from engine.core.runtime import lock
from engine.core.workflow_io import deserialize, ready_user_tasks
from engine.sandbox import SandboxScriptEngine
from models.db.base import utcnow
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessEventKind, ProcessInstance, ProcessModel, ProcessStatus
from models.users.user import User

log = logging.getLogger(__name__)

_ACTIVE = (ProcessStatus.running, ProcessStatus.waiting)


@dataclass
class Candidate:
    """One running instance of an older version and whether it can move to the target."""

    instance: ProcessInstance
    from_version: int
    reasons: list[str] = field(default_factory=list)

    @property
    def movable(self) -> bool:
        return not self.reasons


@dataclass
class MoveResult:
    moved: list[ProcessInstance] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (instance id, reason)


def preview(session: Session, target: ProcessModel) -> list[Candidate]:
    """Active and failed instances of older versions of the target's process, each with the
    reasons it cannot move (none: it can). Writes nothing."""
    definition = bpmn.load(target.bpmn_xml)
    instances = session.scalars(
        select(ProcessInstance)
        .join(ProcessModel, ProcessInstance.model_id == ProcessModel.id)
        .where(
            ProcessModel.process_id == target.process_id,
            ProcessModel.version < target.version,
            ProcessInstance.status.in_([*_ACTIVE, ProcessStatus.error]),
        )
        .options(undefer(ProcessInstance.serialized))
        .order_by(ProcessInstance.id)
    ).all()
    candidates = []
    for instance in instances:
        reasons = _check(session, instance, target, definition)[1]
        candidates.append(Candidate(instance, instance.model.version, reasons))
    return candidates


def move(
    session: Session,
    target: ProcessModel,
    instance_ids: list[int],
    user: User | None,
    *,
    now: datetime | None = None,
) -> MoveResult:
    """Move the given instances to `target`; each one that cannot move is skipped with why."""
    now = now or utcnow()
    definition = bpmn.load(target.bpmn_xml)
    result = MoveResult()
    for instance_id in dict.fromkeys(instance_ids):
        try:
            with session.begin_nested():
                instance = lock(session, instance_id)
                reasons = _move_one(session, instance, target, definition, user, now)
                if reasons:
                    result.skipped.append((instance_id, "; ".join(reasons)))
                    continue
            result.moved.append(instance)
        except StaleDataError:
            reason = "Процесс изменился во время переноса (выполнена задача?): попробуйте ещё раз"
            result.skipped.append((instance_id, reason))
        except Exception as error:  # noqa: BLE001 - one bad instance must not stop the others
            log.exception("instance %s: migration to %s failed", instance_id, target.id)
            result.skipped.append((instance_id, f"Перенос не удался: {describe(error)}"))
    session.flush()
    return result


def _move_one(session, instance, target, definition, user, now) -> list[str]:
    workflow, reasons = _check(session, instance, target, definition)
    if reasons:
        return reasons
    from_version = instance.model.version
    ready_rows = {row.task_guid: row for row in _open_rows(session, instance)}
    instance.model = target
    record(
        session,
        instance,
        ProcessEventKind.migrated,
        user=user,
        data={"from_version": from_version, "to_version": target.version},
        message=f"Версия {from_version} → {target.version}",
        now=now,
    )
    advance(session, instance, workflow, user=user, now=now)
    _refresh_rows(session, instance, workflow, ready_rows, now)
    stored = deserialize(instance.serialized, session)
    if bpmn.sha_of(stored.spec) != target.sha256:
        raise RuntimeError("сохранённое состояние не ссылается на новую версию")
    session.flush()
    return []


def _check(session, instance, target, definition):
    """(the instance's workflow migrated in memory to the target, reasons it cannot move)."""
    if instance.model.process_id != target.process_id:
        return None, [f"Это экземпляр другого процесса («{instance.model.name}»)"]
    if instance.model.version >= target.version:
        return None, [f"Процесс уже на версии {instance.model.version}"]
    if instance.status == ProcessStatus.error:
        return None, ["Процесс в состоянии «Ошибка»: сначала повторите или отмените его"]
    if instance.status not in _ACTIVE:
        return None, ["Процесс уже завершён или отменён"]
    try:
        workflow = deserialize(instance.serialized, session)
        # Resetting waiting tasks evaluates their timer expressions: in the sandbox, with no
        # service handler (nothing runs an action while the state is being migrated).
        workflow.script_engine = SandboxScriptEngine()
        reasons = migrate(workflow, definition)
    except Exception as error:  # noqa: BLE001 - any failure means "cannot move", with its text
        log.exception("instance %s: migration check failed", instance.id)
        return None, [f"Состояние не удалось сопоставить с новой версией: {describe(error)}"]
    return (None if reasons else workflow), reasons


def _open_rows(session: Session, instance: ProcessInstance) -> list[HumanTask]:
    return list(
        session.scalars(
            select(HumanTask).where(
                HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
            )
        )
    )


def _refresh_rows(session, instance, workflow, before: dict, now: datetime) -> None:
    """Inbox rows of tasks that stayed ready take the new version's title, role, form and
    deadline (counted from when the task appeared, not from the move)."""
    engine = workflow.script_engine or script_engine(session, instance, None)

    def evaluate(task, expression):
        return engine.evaluate(task, expression)

    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    for guid, row in before.items():
        task = ready.get(guid)
        if task is None or row.status != HumanTaskStatus.open:
            continue
        fresh = new_row(instance, task, evaluate, row.created_at)
        if fresh.role != row.role:
            row.assignee_id = fresh.assignee_id
        if fresh.due_at != row.due_at:
            row.reminded_at = None
            row.escalated_at = None
        for name in (
            "task_label",
            "process_name",
            "title",
            "role",
            "escalation_role",
            "form",
            "template",
            "is_approval",
            "due_at",
            "remind_at",
        ):
            setattr(row, name, getattr(fresh, name))
