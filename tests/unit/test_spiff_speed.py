"""engine/speed/: the engine's task-tree walk visits what SpiffWorkflow's own would, its state
shortcuts read and write what Spiff's own converters would, and the switch off gives Spiff its
own back."""

from __future__ import annotations

import itertools
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskIterator, TaskState

from engine import bpmn, speed
from engine.core import workflow_io
from engine.sandbox import SandboxScriptEngine
from engine.speed import spiff as spiff_speed
from engine.speed import state as state_speed
from tests.spiff_walks import WalkMismatch, walks_compared

PROCESSES = Path(__file__).resolve().parents[2] / "processes"

START_DATA = {
    "premise_id": 1,
    "client_id": 1,
    "channel": "office",
    "paid": False,
    "over_limit": False,
    "from_queue": False,
    "queue_entry_id": None,
    "manager_id": None,
    "api_key_id": None,
    "started_by": None,
}

STATES = [
    TaskState.ANY_MASK,
    TaskState.READY,
    TaskState.WAITING,
    TaskState.COMPLETED,
    TaskState.CANCELLED,
    TaskState.MAYBE,
    TaskState.NOT_FINISHED_MASK,
    TaskState.FINISHED_MASK,
    TaskState.PREDICTED_MASK,
    TaskState.DEFINITE_MASK,
]


@pytest.fixture(autouse=True)
def _speed_on():
    speed.install(True)  # as create_app() does; the unit tier has no app
    yield
    speed.install(True)


def _reservation(answers: dict) -> BpmnWorkflow:
    definition = bpmn.load((PROCESSES / "reservation.bpmn").read_text("utf-8"))
    workflow = BpmnWorkflow(definition.spec, definition.subprocess_specs)
    workflow.script_engine = SandboxScriptEngine(
        service_handler=lambda name, params, data: json.dumps(answers.get(name, {}))
    )
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(START_DATA)
    return workflow


def _terms(expires: datetime) -> dict:
    return {
        "reserve_premise": {
            "ok": True,
            "reservation_id": 1,
            "expires_at": expires.isoformat(),
            "remind_at": (expires - timedelta(hours=12)).isoformat(),
        },
        "end_reservation": {"status": "expired", "premise_id": 1},
        "promote_queue": {"promoted": None},
    }


def _walk_both(iterator_class, start, **options) -> tuple[list, list]:
    theirs = iterator_class(start, **options)
    ours = iterator_class(start, **options)
    expected = list(iter(lambda: _next_or_none(spiff_speed.SPIFF_NEXT, theirs), None))
    got = list(iter(lambda: _next_or_none(spiff_speed._next, ours), None))
    return expected, got


def _next_or_none(step, iterator):
    try:
        return step(iterator)
    except StopIteration:
        return None


def _every_walk_matches(workflow: BpmnWorkflow) -> int:
    starts = [workflow.task_tree, *list(workflow.get_tasks())[3:6]]
    compared = 0
    for start, iterator_class, state, manual, spec_name, end_at, extra in itertools.product(
        starts,
        (TaskIterator, BpmnTaskIterator),
        STATES,
        (None, True, False),
        (None, "hold", "wait_event"),
        (None, "hold", "merge"),
        ({}, {"max_depth": 3}, {"depth_first": False}, {"skip_subprocesses": True}),
    ):
        if "skip_subprocesses" in extra and iterator_class is TaskIterator:
            continue
        options = dict(state=state, manual=manual, spec_name=spec_name, end_at_spec=end_at)
        expected, got = _walk_both(iterator_class, start, **options, **extra)
        assert [t.id for t in got] == [t.id for t in expected], (iterator_class, options, extra)
        compared += 1
    return compared


def test_walks_match_spiff_while_a_reservation_waits_and_after_it_expires():
    deadline = datetime.now(UTC) + timedelta(days=1)
    workflow = _reservation(_terms(deadline))
    assert _every_walk_matches(workflow) > 1000  # before the first step: only predictions

    workflow.do_engine_steps()
    waiting = {task.task_spec.name for task in workflow.get_tasks(state=TaskState.WAITING)}
    assert {"wait_event", "expire_timer"} <= waiting
    assert workflow.subprocesses  # the hold subprocess is running: walks descend into it
    _every_walk_matches(workflow)

    expired = _reservation(_terms(datetime.now(UTC) - timedelta(seconds=1)))
    expired.do_engine_steps()
    expired.refresh_timers()
    expired.do_engine_steps()
    assert expired.is_completed()
    _every_walk_matches(expired)


def test_a_run_under_the_check_compares_its_walks_and_a_wrong_walk_is_caught(monkeypatch):
    workflow = _reservation(_terms(datetime.now(UTC) + timedelta(days=1)))
    with walks_compared() as counted:
        workflow.do_engine_steps()
    assert counted["walks"] > 10

    def reversed_walk(iterator):  # a broken walk: same tasks, another order
        if "_walk" not in iterator.__dict__:
            iterator._walk = iter(
                list(spiff_speed._walk(iterator, isinstance(iterator, BpmnTaskIterator)))[::-1]
            )
        return next(iterator._walk)

    monkeypatch.setattr(TaskIterator, "__next__", reversed_walk)
    with pytest.raises(WalkMismatch), walks_compared():
        _reservation(_terms(datetime.now(UTC) + timedelta(days=1))).do_engine_steps()


def test_spiff_loggers_get_warning_unless_the_deployment_set_a_level():
    task_logger = logging.getLogger("spiff.task")
    workflow_logger = logging.getLogger("spiff.workflow")
    assert task_logger.level == logging.WARNING  # given by the switch
    assert workflow_logger.level == logging.WARNING
    try:
        task_logger.setLevel(logging.DEBUG)
        workflow_logger.setLevel(logging.NOTSET)
        spiff_speed.install()
        assert task_logger.level == logging.DEBUG
        assert workflow_logger.level == logging.WARNING
    finally:
        task_logger.setLevel(logging.WARNING)
        workflow_logger.setLevel(logging.WARNING)


def test_state_names_are_spiffs_own_for_every_state_and_mask():
    def named(lookup, value):
        try:
            return lookup(value)
        except Exception as error:  # noqa: BLE001 - Spiff's failures must be the same too
            return type(error)

    for value in range(0, 2 * TaskState.ANY_MASK + 2):
        assert named(TaskState.get_name, value) == named(spiff_speed.SPIFF_STATE_NAME, value)
    assert TaskState.get_name(TaskState.READY) == "READY"
    assert TaskState.get_name(TaskState.READY | TaskState.WAITING) == "WAITING|READY"


def test_a_task_id_read_from_a_state_is_the_uuid_it_was_written_from():
    for _ in range(2000):
        written = uuid.uuid4()
        read = state_speed._parsed(str(written))
        assert (read, hash(read), str(read), read.is_safe) == (
            written,
            hash(written),
            str(written),
            uuid.UUID(str(written)).is_safe,
        )
    braced = "{12345678-1234-5678-1234-567812345678}"
    assert state_speed._parsed(braced) == uuid.UUID(braced)  # not the canonical form: UUID()
    with pytest.raises(ValueError):
        state_speed._parsed("12345678-1234-5678-1234-56781234567x")


def test_a_read_state_restores_typed_values_and_keeps_plain_ones_as_spiff_would():
    workflow = _reservation(_terms(datetime.now(UTC) + timedelta(days=1)))
    workflow.do_engine_steps()
    [waiting] = workflow.get_tasks(spec_name="wait_event")
    moment = datetime(2026, 12, 7, 10, 30, tzinfo=UTC)
    waiting.data["typed"] = {"at": moment, "ids": [uuid.UUID(int=7)], "span": timedelta(hours=2)}
    waiting.data["plain"] = {"nested": [1, "два", None, {"x": 1.5}]}
    state = workflow_io.serialize(workflow)

    ours = workflow_io.deserialize(state)
    spiffs = workflow_io.SPIFF_SERIALIZER.deserialize_json(state)  # the generic restore throughout
    [read] = ours.get_tasks(spec_name="wait_event")
    assert read.data["typed"] == {
        "at": moment,
        "ids": [uuid.UUID(int=7)],
        "span": timedelta(hours=2),
    }
    assert read.data["plain"] == {"nested": [1, "два", None, {"x": 1.5}]}
    for mine, theirs in zip(ours.get_tasks(), spiffs.get_tasks(), strict=True):
        assert (mine.id, mine.task_spec.name, mine.state) == (
            theirs.id,
            theirs.task_spec.name,
            theirs.state,
        )
        assert mine.data == theirs.data and mine.internal_data == theirs.internal_data
    assert workflow_io.serialize(ours) == state


def test_a_written_state_is_what_spiffs_own_task_converter_writes():
    spiffs = BpmnWorkflowSerializer(
        BpmnWorkflowSerializer.configure(
            {**SPIFF_CONFIG, BpmnWorkflow: workflow_io.SpecByReference}  # Spiff's Task converter
        )
    )
    waiting = _reservation(_terms(datetime.now(UTC) + timedelta(days=1)))
    waiting.do_engine_steps()
    [held] = waiting.get_tasks(spec_name="wait_event")
    held.data["typed"] = {"at": datetime(2026, 12, 7, tzinfo=UTC), "id": uuid.UUID(int=7)}
    del held.data["paid"]  # a deletion in the task's delta
    expired = _reservation(_terms(datetime.now(UTC) - timedelta(seconds=1)))
    expired.do_engine_steps()
    expired.refresh_timers()
    expired.do_engine_steps()
    for workflow in (waiting, expired):
        assert workflow_io.serialize(workflow) == spiffs.serialize_json(workflow)


def test_the_switch_off_gives_spiff_its_own_walks_state_names_loggers_and_converters():
    waiting = _reservation(_terms(datetime.now(UTC) + timedelta(days=1)))
    waiting.do_engine_steps()
    fast = workflow_io.serialize(waiting)
    try:
        speed.install(False)
        assert TaskIterator.__next__ is spiff_speed.SPIFF_NEXT
        assert TaskState.get_name(TaskState.READY) == "READY"
        assert TaskState.__dict__["get_name"] is spiff_speed.SPIFF_STATE_NAMES
        assert logging.getLogger("spiff.task").level == logging.NOTSET
        assert logging.getLogger("spiff.workflow").level == logging.NOTSET
        slow = workflow_io.serialize(waiting)
        read = workflow_io.deserialize(fast)
        assert [(t.id, t.state) for t in read.get_tasks()] == [
            (t.id, t.state) for t in waiting.get_tasks()
        ]
        assert all(key is not task.id for key, task in read.tasks.items())  # Spiff's own ids
    finally:
        speed.install(True)
    assert slow == fast  # the shortcuts write the very JSON Spiff's converters write
    assert TaskIterator.__next__ is spiff_speed._next
    assert logging.getLogger("spiff.task").level == logging.WARNING
    read = workflow_io.deserialize(fast)
    assert all(key is task.id for key, task in read.tasks.items())  # one object per id
