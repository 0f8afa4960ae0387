"""Timers written the way Camunda Modeler writes them (unquoted ISO-8601: `PT4H`, a date, a
cycle) run: the check that accepts them and the runtime read them alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engine.bpmn import repository
from engine.core import runtime
from engine.core.tick import run_until_idle
from models.process.instance import ProcessStatus
from tests.factories.process import DATA

NEW_YEAR = datetime(2030, 1, 1, 7, 0, tzinfo=UTC)  # 10:00 in Moscow


def test_unquoted_duration_date_and_cycle_timers_fire_on_tick(db_session, clock, open_tasks):
    xml = (DATA / "outside" / "timers_unquoted.bpmn").read_text("utf-8")
    repository.publish(db_session, xml)
    instance = runtime.start(db_session, "timers_unquoted")
    db_session.commit()
    assert instance.status == ProcessStatus.waiting
    assert instance.next_timer_at == clock.now + timedelta(hours=4)

    clock.advance(hours=4, seconds=1)
    assert run_until_idle(db_session).timers == 1
    db_session.refresh(instance)
    assert instance.status == ProcessStatus.waiting
    assert instance.next_timer_at == NEW_YEAR

    clock.set(NEW_YEAR + timedelta(seconds=1))
    assert run_until_idle(db_session).timers == 1
    [confirm] = open_tasks(instance.id)
    assert confirm.task_name == "confirm"
    db_session.refresh(instance)
    assert instance.next_timer_at == NEW_YEAR + timedelta(hours=1, seconds=1)

    clock.advance(hours=1, seconds=1)
    assert run_until_idle(db_session).timers == 1
    db_session.refresh(instance)
    assert instance.status == ProcessStatus.waiting
    assert '"reminders": 1' in instance.serialized
