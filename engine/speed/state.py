"""The state reader/writer's shortcuts: SpiffWorkflow's serialization, the same JSON, less work.

Installed by the speed switch (`engine.speed.install`) into `engine.core.workflow_io`, which
otherwise reads and writes a state with SpiffWorkflow's own converters (the spec by reference
either way: that is the stored format, not a shortcut):

- each task id is parsed once per state, into one UUID object shared by the task, its parent's
  list of children and its children's parent link, and written as text once;
- each task is handed straight to its converter, not through the generic restore;
- a value that is plain JSON (nothing typed inside) is kept as parsed instead of rebuilt.

tests/unit/test_spiff_speed.py checks that a state reads and writes as Spiff's own would.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from copy import copy
from uuid import UUID, SafeUUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.core import workflow_io

_IDS: ContextVar[dict[str, UUID] | None] = ContextVar("task_ids", default=None)
_TEXTS: ContextVar[dict[int, str] | None] = ContextVar("task_id_texts", default=None)


def install(enabled: bool = True) -> None:
    workflow_io.use_converters(_SHORTCUTS if enabled else {})


@contextmanager
def _one_table(table: ContextVar) -> Iterator[None]:
    token = table.set({})
    try:
        yield
    finally:
        table.reset(token)


class _OneStateAtATime(workflow_io.SpecByReference):
    """The workflow's converter: one table of ids (reading) or of texts (writing) per state."""

    def to_dict(self, workflow):
        with _one_table(_TEXTS):
            return super().to_dict(workflow)

    def from_dict(self, dct):
        with _one_table(_IDS):
            return super().from_dict(dct)

    def tasks_from_dict(self, workflow, dct) -> None:
        ids = _IDS.get()

        def task_id(text: str) -> UUID:
            return _id(ids, text)

        workflow.tasks = _tasks_from_dict(self.registry, dct["tasks"], task_id, workflow)
        workflow.task_tree = workflow.tasks.get(task_id(dct["root"]))


class _OneIdPerTask(TaskConverter):
    """Reads and writes a task as Spiff's converter does, but handles each task id once.

    Spiff parses an id three times (the task's own, in its parent's children, in its children's
    parent) into three equal UUID objects. One object per id spares the parsing, and Spiff's
    lookups of parents and children then find the key by identity instead of comparing UUIDs.
    Writing, each id is turned into text once, and the parent is looked up once.
    """

    def to_dict(self, task):
        texts = _TEXTS.get()
        if texts is None:
            return super().to_dict(task)
        above = task.parent
        if above is None:
            data, delta = task.data, {}
        else:
            inherited, own = above.data, task.data
            data = {}
            delta = {
                "updates": {
                    key: value
                    for key, value in own.items()
                    if key not in inherited or value != inherited[key]
                },
                "deletions": [key for key in inherited if key not in own],
            }
        return {
            "id": _text(texts, task.id),
            "parent": _text(texts, task._parent) if above is not None else None,
            "children": [_text(texts, child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task.state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct, workflow):
        ids = _IDS.get()
        if ids is None:
            return super().from_dict(dct, workflow)
        parent, children = dct["parent"], dct["children"]
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=_id(ids, dct["id"]))
        task._parent = _id(ids, parent) if parent is not None else None
        task._children = [_id(ids, child) for child in children]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = _restored(self.registry, dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            workflow.top_workflow.event_manager.add_task(task)
        delta = dct.get("delta")
        above = task.parent
        if delta and above is not None:
            data = _inherited(above.data)
            data.update(_restored(self.registry, delta.get("updates", {})))
            for key in delta.get("deletions", {}):
                data.pop(key, None)
        else:
            data = _restored(self.registry, dct["data"])
        task.data = data
        return task


class _SubprocessOneIdPerTask(BpmnSubWorkflowConverter):
    """A subprocess read by Spiff's converter, its tasks then keyed by their own id objects."""

    def from_dict(self, dct, task, top_workflow):
        subprocess = super().from_dict(dct, task, top_workflow)
        subprocess.tasks = {read.id: read for read in subprocess.tasks.values()}
        return subprocess


def _tasks_from_dict(registry, tasks: dict, task_id, workflow) -> dict:
    """What `mapping_from_dict(tasks, task_id, workflow=...)` returns, each task handed straight
    to its converter (the generic restore would first copy its dict to drop the type name)."""
    read = registry.convert_from_dict
    return {
        task_id(key): read[task["typename"]](task, workflow=workflow) for key, task in tasks.items()
    }


def _restored(registry, value):
    """`registry.restore(value)` of a value just read from JSON: the value itself when nothing in
    it is a typed object (a date, a UUID…), which is what the restore would rebuild unchanged."""
    return value if _plain(value) else registry.restore(value)


def _plain(value) -> bool:
    if isinstance(value, dict):
        if "typename" in value:
            return False
        items = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return True
    for item in items:  # noqa: SIM110 - a loop: no generator per container on this hot path
        if isinstance(item, dict | list) and not _plain(item):
            return False
    return True


def _inherited(data: dict) -> dict:
    """What Spiff's `DeepMerge.merge({}, data)` returns, without its per-key checks: a new dict,
    mutable values copied one level deep."""
    return {k: copy(v) if isinstance(v, _MUTABLE) else v for k, v in data.items()}


_MUTABLE = (dict, list, set)


def _id(ids: dict[str, UUID], text: str) -> UUID:
    found = ids.get(text)
    if found is None:
        found = ids[text] = _parsed(text)
    return found


def _text(texts: dict[int, str], task_id: UUID) -> str:
    """`str(task_id)`, made once per id and state (the ids live as long as the workflow)."""
    found = texts.get(id(task_id))
    if found is None:
        found = texts[id(task_id)] = str(task_id)
    return found


def _parsed(text: str) -> UUID:
    """`UUID(text)` for the canonical form `str(uuid)` writes, without the checks and string
    handling of `UUID.__init__` (a fifth of reading a state): the attributes are set as
    `UUID.__setstate__` (unpickling) sets them. Any other form goes through `UUID()`."""
    if len(text) != 36:
        return UUID(text)
    parsed = UUID.__new__(UUID)
    object.__setattr__(parsed, "int", int(text.replace("-", ""), 16))  # UUID is immutable
    object.__setattr__(parsed, "is_safe", _UNKNOWN_SAFETY)
    return parsed


_UNKNOWN_SAFETY = SafeUUID.unknown  # an enum member's lookup is not free on Python 3.11


_SHORTCUTS = {
    BpmnWorkflow: _OneStateAtATime,
    BpmnSubWorkflow: _SubprocessOneIdPerTask,
    Task: _OneIdPerTask,
}
