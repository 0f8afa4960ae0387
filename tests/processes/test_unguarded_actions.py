"""web.edge.redo_guarded: a request's engine work runs its actions without their own
savepoints, and, when one fails, is rolled back and run again with each action guarded — the
outcome is the same as a guarded run's."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.core import runtime
from models.catalog.objects import Premise
from models.process.instance import ProcessEventKind, ProcessStatus
from web.edge import redo_guarded


@pytest.fixture
def premise(db_session, make_building, make_premise):
    made = make_premise(make_building(), number="7", price="5000000.00")
    db_session.commit()  # the redo rolls back the request's work, not the test's rows
    return made


def _start(db_session, premise):
    return runtime.start(
        db_session,
        "engine_features",
        data={"mode": "fail", "amount": "1.00", "premise_id": premise.id},
        business_keys={"premise_id": premise.id},
    )


@pytest.mark.speed_on_only  # off, every action has its savepoint
def test_when_no_action_fails_no_savepoint_is_taken(
    db_session, features_process, premise, explode_switch, savepoints, open_tasks
):
    explode_switch.broken = False
    instance = redo_guarded(lambda: _start(db_session, premise))
    db_session.commit()
    assert savepoints == []
    assert instance.status == ProcessStatus.waiting
    assert db_session.get(Premise, premise.id).price == Decimal("1.00")
    assert [t.task_name for t in open_tasks(instance.id)] == ["confirm"]


def test_a_failing_action_is_run_again_guarded_and_leaves_nothing(
    db_session, features_process, premise, explode_switch, savepoints, open_tasks
):
    premise_id = premise.id
    instance = redo_guarded(lambda: _start(db_session, premise))
    db_session.commit()
    assert savepoints, "the second run guards the action with a savepoint"
    assert instance.status == ProcessStatus.error
    assert instance.error_task == "explode"
    assert db_session.get(Premise, premise_id).price == Decimal("5000000.00")
    assert open_tasks(instance.id) == []
    kinds = [e.kind for e in instance.events]
    assert kinds.count(ProcessEventKind.started) == 1  # the undone first run left nothing
    assert kinds.count(ProcessEventKind.error) == 1


def test_the_speed_switch_decides_whether_a_requests_actions_have_savepoints(
    db_session, features_process, premise, explode_switch, savepoints, engine_speed
):
    explode_switch.broken = False
    instance = redo_guarded(lambda: _start(db_session, premise))
    db_session.commit()
    assert instance.status == ProcessStatus.waiting
    assert bool(savepoints) is not engine_speed  # off: one per action; on: none
