"""Migrating one workflow's state, in memory, to the spec of a newer version.

SpiffWorkflow's diff utilities (`SpiffWorkflow.bpmn.util.diff`) align the old version's task
specs with the new one's; `migrate_workflow` then points the tasks at the new specs and resets
the waiting ones. This module decides first whether that is safe and says why not, in Russian:
a step that already ran must be unchanged (cosmetic changes — name, documentation — aside), a
step the instance waits on must still exist, no ready user task may vanish. Waiting timers whose
definition did not change keep their due time (a reset would restart them from now).
"""

from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from engine import bpmn
from engine.core.workflow_io import ready_user_tasks

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


def migrate(workflow, definition: bpmn.ProcessDefinition) -> list[str]:
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
