"""Engine behaviour beyond the happy path: timers, messages, failures, retry, cancel."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from engine.core import runtime
from engine.core.errors import InstanceStateError, MessageNotExpected
from engine.core.tick import run_until_idle
from models.process.human_task import HumanTaskStatus
from models.process.instance import ProcessEventKind, ProcessStatus


@pytest.fixture
def premise(make_building, make_premise):
    return make_premise(make_building(), number="7", price="5000000.00")


def start(db_session, premise, mode, **data):
    instance = runtime.start(
        db_session,
        "engine_features",
        data={"mode": mode, "amount": "10.50", **data},
        business_keys={"premise_id": premise.id},
    )
    db_session.commit()
    return instance


def test_script_tasks_and_gateways_run_in_the_sandbox(db_session, features_process, premise):
    instance = start(db_session, premise, "message")
    assert instance.status == ProcessStatus.waiting
    assert '"total": "21.00"' in instance.serialized


def test_a_message_reaches_the_instance_found_by_business_key(
    db_session, features_process, premise, open_tasks
):
    instance = start(db_session, premise, "message")
    assert open_tasks(instance.id) == []

    [delivered] = runtime.send_message(
        db_session, "payment_received", "premise_id", premise.id, {"amount": "5000"}
    )
    db_session.commit()
    assert delivered.id == instance.id
    [confirm] = open_tasks(instance.id)
    assert confirm.task_name == "confirm"
    assert '"payment": {"amount": "5000"}' in instance.serialized
    assert ProcessEventKind.message_received in [e.kind for e in instance.events]


def test_a_message_nobody_waits_for_is_an_error_to_the_caller(
    db_session, features_process, premise
):
    start(db_session, premise, "timer", wait_for="PT1H")
    with pytest.raises(MessageNotExpected):
        runtime.send_message(db_session, "payment_received", "premise_id", premise.id, {})
    with pytest.raises(MessageNotExpected):
        runtime.send_message(db_session, "payment_received", "premise_id", 999999, {})


def test_a_due_timer_fires_on_tick_and_not_before(
    db_session, features_process, premise, open_tasks, clock
):
    instance = start(db_session, premise, "timer", wait_for="PT1H")
    assert instance.next_timer_at == clock.now + timedelta(hours=1)
    assert run_until_idle(db_session).timers == 0
    clock.advance(minutes=59, seconds=59)
    assert run_until_idle(db_session).timers == 0
    clock.advance(seconds=2)
    assert run_until_idle(db_session).timers == 1
    db_session.refresh(instance)
    [confirm] = open_tasks(instance.id)
    assert confirm.task_name == "confirm"
    assert instance.next_timer_at is None
    assert run_until_idle(db_session).timers == 0


def test_a_failing_action_puts_the_instance_in_error_and_writes_nothing(
    db_session, features_process, premise, explode_switch, open_tasks
):
    instance = start(db_session, premise, "fail", premise_id=premise.id)
    assert instance.status == ProcessStatus.error
    assert instance.error_task == "explode"
    assert "сервис банка недоступен" in instance.error_message
    db_session.refresh(premise)
    assert premise.price == Decimal("5000000.00")
    assert open_tasks(instance.id) == []

    explode_switch.broken = False
    runtime.retry(db_session, instance.id, None)
    db_session.commit()
    assert instance.status == ProcessStatus.waiting
    [confirm] = open_tasks(instance.id)
    assert confirm.task_name == "confirm"
    kinds = [e.kind for e in instance.events]
    assert kinds.count(ProcessEventKind.error) == 1
    assert ProcessEventKind.retried in kinds


def test_only_a_failed_instance_can_be_retried(db_session, features_process, premise):
    instance = start(db_session, premise, "message")
    with pytest.raises(InstanceStateError):
        runtime.retry(db_session, instance.id, None)


def test_cancelling_closes_the_open_tasks(db_session, features_process, premise, open_tasks):
    instance = start(db_session, premise, "message")
    runtime.send_message(db_session, "payment_received", "premise_id", premise.id, {})
    [confirm] = open_tasks(instance.id)
    runtime.cancel(db_session, instance.id, None, "клиент передумал")
    db_session.commit()
    assert instance.status == ProcessStatus.cancelled
    db_session.refresh(confirm)
    assert confirm.status == HumanTaskStatus.cancelled
    assert instance.next_timer_at is None
    with pytest.raises(InstanceStateError):
        runtime.cancel(db_session, instance.id, None)
