"""Moving running instances of a process to a newer published version.

SpiffWorkflow's own diff utilities (`SpiffWorkflow.bpmn.util.diff`) align the task specs of the
instance's version with the target's and tell which tasks of the instance are affected. What
may move, in the engine's words:

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
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, undefer
from sqlalchemy.orm.exc import StaleDataError

from engine import bpmn
from engine.human_tasks import _new_row  # the row a ready task gets; reused to refresh it
from engine.run import advance, describe, record, script_engine
from engine.runtime import lock
from engine.sandbox import SandboxScriptEngine
from engine.workflow_io import deserialize, ready_user_tasks
from models.base import utcnow
from models.process import (
    HumanTask,
    HumanTaskStatus,
    ProcessEventKind,
    ProcessInstance,
    ProcessModel,
    ProcessStatus,
)
from models.user import User

log = logging.getLogger(__name__)

# Converts task specs to dicts for SpecDiff's comparison (the same converters the state uses).
_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
# Differences that change nothing about how a step that already ran behaved.
_COSMETIC = frozenset({"bpmn_name", "documentation", "description"})
_ATTRIBUTE_LABELS = {
    "typename": "тип элемента",
    "outputs": "исходящие потоки",
    "inputs": "входящие потоки",
    "extensions": "свойства (форма, срок, заголовок)",
    "lane": "дорожка (роль)",
    "operation_name": "действие",
    "operation_params": "параметры действия",
    "result_variable": "переменная результата",
    "event_definition": "событие (таймер, сообщение, ошибка)",
    "cond_task_specs": "условия переходов",
    "default_task_spec": "поток по умолчанию",
    "script": "скрипт",
    "prescript": "скрипт до шага",
    "postscript": "скрипт после шага",
    "cancel_activity": "прерывание задачи",
    "spec": "подпроцесс",
}
_RAN = TaskState.COMPLETED | TaskState.STARTED | TaskState.ERROR
_PENDING = TaskState.READY | TaskState.WAITING
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
        reasons = _migrate(workflow, definition)
    except Exception as error:  # noqa: BLE001 - any failure means "cannot move", with its text
        log.exception("instance %s: migration check failed", instance.id)
        return None, [f"Состояние не удалось сопоставить с новой версией: {describe(error)}"]
    return (None if reasons else workflow), reasons


def _migrate(workflow, definition: bpmn.ProcessDefinition) -> list[str]:
    """Migrate `workflow` in place; returns why it cannot move (then it must be thrown away)."""
    ready_before = {str(task.id): task.task_spec for task in ready_user_tasks(workflow)}
    plans = [(workflow, definition.spec)]
    reasons = []
    for subprocess in workflow.subprocesses.values():
        new_spec = definition.subprocess_specs.get(subprocess.spec.name)
        if new_spec is None:
            reasons.append(f"Подпроцесса «{subprocess.spec.name}» нет в новой версии")
        else:
            plans.append((subprocess, new_spec))
    diffs = []
    for part, new_spec in plans:
        spec_diff = SpecDiff(_REGISTRY, part.spec, new_spec)
        workflow_diff = WorkflowDiff(part, spec_diff)
        reasons += _blocking(workflow_diff, spec_diff)
        diffs.append((part, new_spec, workflow_diff, spec_diff))
    if reasons:
        return _unique(reasons)
    for part, new_spec, workflow_diff, spec_diff in diffs:
        kept = _waiting_timers(part, spec_diff)
        migrate_workflow(workflow_diff, part, new_spec)
        _restore_timers(part, kept)
    workflow.subprocess_specs = definition.subprocess_specs
    reasons += _stale_tasks(workflow, definition)
    reasons += _vanished(workflow, ready_before)
    return _unique(reasons)


def _blocking(workflow_diff: WorkflowDiff, spec_diff: SpecDiff) -> list[str]:
    reasons = []
    changed = spec_diff.changed
    for task in workflow_diff.removed:
        if task.state & (_RAN | _PENDING):
            reasons.append(
                f"Шаг {_label(task.task_spec)} {_state_text(task)}, а в новой версии его нет"
            )
    for task in workflow_diff.changed:
        attributes = [a for a in changed.get(task.task_spec, []) if a not in _COSMETIC]
        if attributes and task.state & _RAN:
            what = ", ".join(_ATTRIBUTE_LABELS.get(a, a) for a in attributes)
            reasons.append(
                f"Шаг {_label(task.task_spec)} {_state_text(task)}, а в новой версии он изменён "
                f"({what})"
            )
    return reasons


def _waiting_timers(part, spec_diff: SpecDiff) -> dict:
    """Internal data of waiting timer events whose definition did not change: migration resets
    waiting tasks, which would restart a reservation's expiry timer from now."""
    kept = {}
    for task in part.get_tasks(state=TaskState.WAITING, skip_subprocesses=True):
        definition = getattr(task.task_spec, "event_definition", None)
        if not isinstance(definition, TimerEventDefinition):
            continue
        if "event_definition" in spec_diff.changed.get(task.task_spec, []):
            continue
        kept[task.id] = deepcopy(task.internal_data)
    return kept


def _restore_timers(part, kept: dict) -> None:
    for task_id, internal in kept.items():
        task = part.tasks.get(task_id)
        if task is not None and task.state == TaskState.WAITING:
            task.internal_data = internal


def _stale_tasks(workflow, definition: bpmn.ProcessDefinition) -> list[str]:
    """Tasks still pointing at a spec of the old version: the state could not be read back."""
    reasons = []
    parts = [(workflow, definition.spec)] + [
        (sp, definition.subprocess_specs.get(sp.spec.name)) for sp in workflow.subprocesses.values()
    ]
    for part, spec in parts:
        specs = set(map(id, spec.task_specs.values())) if spec is not None else set()
        for task in part.get_tasks(skip_subprocesses=True):
            if id(task.task_spec) not in specs:
                reasons.append(
                    f"Шаг {_label(task.task_spec)} не удаётся сопоставить с новой версией"
                )
    return reasons


def _vanished(workflow, ready_before: dict) -> list[str]:
    ready_after = {str(task.id) for task in ready_user_tasks(workflow)}
    return [
        f"Задача {_label(spec)} пропала бы из входящих"
        for guid, spec in ready_before.items()
        if guid not in ready_after
    ]


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
        fresh = _new_row(instance, task, evaluate, row.created_at)
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


def _label(spec) -> str:
    name = getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name
    return f"«{name}»"


def _state_text(task) -> str:
    if task.state == TaskState.COMPLETED:
        return "уже выполнен"
    if task.state == TaskState.STARTED:
        return "уже начат"
    if task.state == TaskState.ERROR:
        return "завершился ошибкой"
    if task.state == TaskState.READY:
        return "ждёт выполнения"
    return "ожидает события"


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
