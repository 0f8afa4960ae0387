"""One clock: the application's "now", the sandbox's now()/today() and SpiffWorkflow's timers
all read models.db.clock, so a test that moves it moves them all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from SpiffWorkflow.bpmn.specs.event_definitions import timer

import engine.core  # noqa: F401 - installs the clock in SpiffWorkflow's timers
from engine.sandbox import evaluate
from models.db import clock as app_clock
from models.db.base import utcnow
from tests.time_support import StoppedClock


def test_a_stopped_clock_is_every_now_until_it_moves(clock):
    start = clock.now
    assert utcnow() == start
    assert timer.datetime.now(UTC) == start
    assert evaluate("now()") == start

    later = clock.advance(minutes=31)

    assert later == start + timedelta(minutes=31)
    assert utcnow() == timer.datetime.now(UTC) == evaluate("now()") == later


def test_the_business_day_is_moscows(clock):
    clock.set(datetime(2026, 3, 31, 21, 30, tzinfo=UTC))  # 00:30 on 1 April in Moscow

    assert evaluate("today()").isoformat() == "2026-04-01"


def test_a_released_clock_follows_the_system_clock_again():
    StoppedClock(datetime(2020, 1, 1, tzinfo=UTC))
    app_clock.run_freely()

    assert abs(utcnow() - datetime.now(UTC)) < timedelta(minutes=1)
