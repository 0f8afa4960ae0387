"""Serialization of workflows and what the engine reads off a running one."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
TIMER_EVENT_TYPES = {
    "TimerEventDefinition",
    "TimeDateEventDefinition",
    "DurationTimerEventDefinition",
    "CycleTimerEventDefinition",
}


def serialize(workflow: BpmnWorkflow) -> str:
    return _SERIALIZER.serialize_json(workflow)


def deserialize(text: str) -> BpmnWorkflow:
    return _SERIALIZER.deserialize_json(text)


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
                moment = datetime.now(UTC) + TimerEventDefinition.get_timedelta_from_start(
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
        return TimerEventDefinition.get_timedelta_from_start(parsed, datetime.now(UTC))
    except Exception as error:  # noqa: BLE001
        raise ValueError(text) from error


def task_data_json(task) -> dict:
    """Task data as plain JSON (for history and the monitor)."""
    return json.loads(json.dumps(task.data, default=str))
