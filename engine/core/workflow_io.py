"""Serialization of workflows and what the engine reads off a running one.

An instance's stored state holds its tasks and data, not its process spec: the spec of a
published version never changes, so the state names it by the SHA-256 of the version's BPMN and
the spec, built once per worker from that BPMN, is shared by every instance of the version. This
keeps a reservation's state at a third of its size and spares rebuilding ~100 spec objects on
every step. A state written with the spec embedded (older rows, or `embed_spec=True`) still reads.
The tasks are read and written by SpiffWorkflow's own converters unless the speed switch has put
its shortcuts in their place (engine/speed/state.py: the same JSON, less work).
"""

from __future__ import annotations

import json
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
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


class SpecByReference(BpmnWorkflowConverter):
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
        self.tasks_from_dict(workflow, dct)
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def tasks_from_dict(self, workflow, dct) -> None:
        """The workflow's tasks and its root, as Spiff's own `from_dict` reads them."""
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))


def _serializer(converters: dict) -> BpmnWorkflowSerializer:
    config = {**SPIFF_CONFIG, BpmnWorkflow: SpecByReference, **converters}
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


SPIFF_SERIALIZER = _serializer({})  # SpiffWorkflow's own converters, the spec by reference
_SERIALIZERS = {"in_use": SPIFF_SERIALIZER}
_EMBED: ContextVar[bool] = ContextVar("embed_spec", default=False)
_SESSION: ContextVar[Session | None] = ContextVar("spec_session", default=None)


def use_converters(converters: dict) -> None:
    """Read and write states with these converters in place of Spiff's own (engine.speed's
    shortcuts, which write the same JSON); `{}` gives Spiff's own back."""
    _SERIALIZERS["in_use"] = _serializer(converters) if converters else SPIFF_SERIALIZER


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
    token = _EMBED.set(embed_spec)
    try:
        return _SERIALIZERS["in_use"].serialize_json(workflow)
    finally:
        _EMBED.reset(token)


def deserialize(text: str, session: Session | None = None) -> BpmnWorkflow:
    """The workflow from its state; `session` lets a worker load a version it has not built yet."""
    token = _SESSION.set(session)
    try:
        return _SERIALIZERS["in_use"].deserialize_json(text)
    finally:
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
