"""Serialization of workflows and what the engine reads off a running one.

An instance's stored state holds its tasks and data, not its process spec: the spec of a
published version never changes, so the state names it by the SHA-256 of the version's BPMN and
the spec, built once per worker from that BPMN, is shared by every instance of the version. This
keeps a reservation's state at a third of its size and spares rebuilding ~100 spec objects on
every step. A state written with the spec embedded (older rows, or `embed_spec=True`) still reads.
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from copy import copy
from datetime import UTC, datetime, timedelta
from uuid import UUID, SafeUUID

from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
    TaskConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import bpmn
from engine.core.errors import InstanceStateError
from models.db.clock import utcnow
from models.process.instance import ProcessModel

SPEC_KEY = "spec_sha256"
TIMER_EVENT_TYPES = {
    "TimerEventDefinition",
    "TimeDateEventDefinition",
    "DurationTimerEventDefinition",
    "CycleTimerEventDefinition",
}


class _SpecByReference(BpmnWorkflowConverter):
    """Writes a reference to the spec of a known BPMN instead of the spec itself."""

    def to_dict(self, workflow):
        sha = bpmn.sha_of(workflow.spec)
        if _EMBED.get() or sha is None:
            return super().to_dict(workflow)
        dct = WorkflowConverter.to_dict(self, workflow)
        dct[SPEC_KEY] = sha
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        sha = dct.pop(SPEC_KEY, None)
        if sha is None:
            return super().from_dict(dct)
        definition = definition_by_sha(sha, _SESSION.get())
        workflow = self.target_class(
            definition.spec, definition.subprocess_specs, deserializing=True
        )
        task_id = _task_id_reader()
        workflow.tasks = _tasks_from_dict(self.registry, dct["tasks"], task_id, workflow)
        workflow.task_tree = workflow.tasks.get(task_id(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


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


def _task_id_reader():
    ids = _IDS.get()
    if ids is None:
        return UUID
    return lambda text: _id(ids, text)


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


_CONFIG = {
    **SPIFF_CONFIG,
    BpmnWorkflow: _SpecByReference,
    BpmnSubWorkflow: _SubprocessOneIdPerTask,
    Task: _OneIdPerTask,
}
_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
_EMBED: ContextVar[bool] = ContextVar("embed_spec", default=False)
_SESSION: ContextVar[Session | None] = ContextVar("spec_session", default=None)
_IDS: ContextVar[dict[str, UUID] | None] = ContextVar("task_ids", default=None)
_TEXTS: ContextVar[dict[int, str] | None] = ContextVar("task_id_texts", default=None)


def definition_by_sha(sha: str, session: Session | None) -> bpmn.ProcessDefinition:
    """The built spec of the published version with this BPMN hash (built once per worker)."""
    known = bpmn.known_definition(sha)
    if known is not None:
        return known
    xml = None
    if session is not None:
        xml = session.scalar(
            select(ProcessModel.bpmn_xml).where(ProcessModel.sha256 == sha).limit(1)
        )
    if xml is None:
        raise InstanceStateError(f"Версия процесса {sha[:12]} не найдена: состояние не прочитать")
    return bpmn.load(xml)


def serialize(workflow: BpmnWorkflow, *, embed_spec: bool = False) -> str:
    """The workflow's state as JSON; the spec by reference unless `embed_spec` (a state that
    must be read without the database, e.g. a try-run of a draft)."""
    token, texts = _EMBED.set(embed_spec), _TEXTS.set({})
    try:
        return _SERIALIZER.serialize_json(workflow)
    finally:
        _TEXTS.reset(texts)
        _EMBED.reset(token)


def deserialize(text: str, session: Session | None = None) -> BpmnWorkflow:
    """The workflow from its state; `session` lets a worker load a version it has not built yet."""
    token, ids = _SESSION.set(session), _IDS.set({})
    try:
        return _SERIALIZER.deserialize_json(text)
    finally:
        _IDS.reset(ids)
        _SESSION.reset(token)


def ready_user_tasks(workflow: BpmnWorkflow) -> list:
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def find_task(workflow: BpmnWorkflow, guid: str):
    try:
        return workflow.get_task_from_id(UUID(guid))
    except (ValueError, KeyError):
        return None


def next_timer(workflow: BpmnWorkflow) -> datetime | None:
    """The earliest due time of the workflow's waiting timer events."""
    due: list[datetime] = []
    for event in workflow.waiting_events():
        if event.event_type not in TIMER_EVENT_TYPES or event.value is None:
            continue
        value = event.value
        if isinstance(value, dict):  # cycle timers keep {'next': iso, ...}
            value = value.get("next")
        moment = _as_datetime(value)
        if moment is not None:
            due.append(moment)
    return min(due) if due else None


def _as_datetime(value) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str):
        try:
            moment = TimerEventDefinition.get_datetime(value)
        except (ValueError, TypeError):
            try:
                moment = utcnow() + TimerEventDefinition.get_timedelta_from_start(
                    TimerEventDefinition.parse_iso_duration(value)
                )
            except Exception:  # noqa: BLE001 - an unparseable value has no due time
                return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    """ISO-8601 duration (`PT4H`, `P1D`, `P1W`) as a timedelta; ValueError if it is not one."""
    text = text.strip().strip('"').strip("'")
    if not text.upper().startswith("P"):
        raise ValueError(text)
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text.upper())
        return TimerEventDefinition.get_timedelta_from_start(parsed, utcnow())
    except Exception as error:  # noqa: BLE001
        raise ValueError(text) from error


def task_data_json(task) -> dict:
    """Task data as plain JSON (for history and the monitor)."""
    return json.loads(json.dumps(task.data, default=str))
