"""engine.tick runs a batch of due timers in one savepoint and falls back to one instance at a
time, each action in its own savepoint, when something in the batch fails."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.core import runtime
from engine.core.tick import run_until_idle
from models.catalog.objects import Premise
from models.process.instance import ProcessEventKind, ProcessStatus
from tests.factories import process


@pytest.fixture
def timer_process(db_session):
    model = process.published(db_session, "timer_then_action")
    db_session.commit()
    return model


def _due(db_session, clock, make_building, make_premise, outcomes: list[str]):
    """Instances of timer_then_action whose one-second timer is due."""
    building = make_building()
    started = []
    for index, outcome in enumerate(outcomes):
        premise = make_premise(building, number=str(index + 1), price="5000000.00")
        instance = runtime.start(
            db_session,
            "timer_then_action",
            data={"outcome": outcome},
            business_keys={"premise_id": premise.id},
        )
        db_session.commit()
        assert instance.status == ProcessStatus.waiting
        started.append((instance, premise.id))
    clock.advance(seconds=2)
    return started


def _price(db_session, premise_id: int) -> Decimal:
    return db_session.get(Premise, premise_id).price


def test_a_batch_where_nothing_fails_runs_every_action(
    db_session, clock, timer_process, make_building, make_premise, open_tasks
):
    started = _due(db_session, clock, make_building, make_premise, ["ok", "ok", "ok"])
    assert run_until_idle(db_session).timers == 3
    db_session.expire_all()
    for instance, premise_id in started:
        [task] = open_tasks(instance.id)
        assert task.task_name == "done"
        assert _price(db_session, premise_id) == Decimal("1.00")
        kinds = [e.kind for e in instance.events]
        assert kinds.count(ProcessEventKind.timer_fired) == 1


def test_the_speed_switch_runs_due_timers_in_one_savepoint_or_each_in_its_own(
    db_session, clock, timer_process, make_building, make_premise, savepoints, engine_speed
):
    _due(db_session, clock, make_building, make_premise, ["ok", "ok", "ok"])
    savepoints.clear()
    assert run_until_idle(db_session).timers == 3
    # On: the batch's one savepoint. Off: each instance's, and each of its action's.
    assert len(savepoints) == (1 if engine_speed else 3 * 2)


def test_a_failure_in_a_batch_leaves_the_others_done_and_itself_unwritten(
    db_session, clock, timer_process, make_building, make_premise, open_tasks
):
    (ok, ok_premise), (refused, refused_premise), (crashed, crashed_premise), (last, _) = _due(
        db_session, clock, make_building, make_premise, ["ok", "refused", "crash", "ok"]
    )
    result = run_until_idle(db_session)
    assert result.timers == 4
    db_session.expire_all()

    assert [t.task_name for t in open_tasks(ok.id)] == ["done"]
    assert [t.task_name for t in open_tasks(last.id)] == ["done"]
    assert _price(db_session, ok_premise) == Decimal("1.00")

    # The BPMN error was caught by the boundary event; the action's write was undone.
    assert [t.task_name for t in open_tasks(refused.id)] == ["handle_refusal"]
    assert _price(db_session, refused_premise) == Decimal("5000000.00")
    refused_kinds = [e.kind for e in refused.events]
    assert refused_kinds.count(ProcessEventKind.timer_fired) == 1  # the undone run left none
    assert refused_kinds.count(ProcessEventKind.bpmn_error) == 1

    # An uncaught failure puts the instance in error, with nothing of the action written.
    assert crashed.status == ProcessStatus.error
    assert crashed.error_task == "act"
    assert "сервис банка недоступен" in crashed.error_message
    assert _price(db_session, crashed_premise) == Decimal("5000000.00")
    assert open_tasks(crashed.id) == []
    assert [e.kind for e in crashed.events].count(ProcessEventKind.timer_fired) == 1

    assert run_until_idle(db_session).timers == 0  # each timer fired once


def test_a_write_the_database_refuses_fails_inside_its_action_on_the_guarded_run(
    db_session, clock, timer_process, make_building, make_premise, open_tasks
):
    (ok, ok_premise), (broken, broken_premise) = _due(
        db_session, clock, make_building, make_premise, ["ok", "negative"]
    )
    assert run_until_idle(db_session).timers == 2
    db_session.expire_all()
    assert [t.task_name for t in open_tasks(ok.id)] == ["done"]
    assert _price(db_session, ok_premise) == Decimal("1.00")
    assert broken.status == ProcessStatus.error
    assert broken.error_task == "act"
    assert _price(db_session, broken_premise) == Decimal("5000000.00")
