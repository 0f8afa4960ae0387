"""Time in tests: a clock the test moves, and waiting for another process without sleeping blind.

A test never sleeps for a timer: it stops the clock (the `clock` fixture), moves it past the
timer and runs the tick. Only a real other process or thread (a Celery worker, an SMTP server, a
second database connection) is waited for, by polling its result with `wait_until`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import text

from models.db import clock as app_clock

T = TypeVar("T")


class StoppedClock:
    """The application's clock, stopped at a moment that only the test moves."""

    def __init__(self, moment: datetime) -> None:
        self.now = moment
        app_clock.stop_at(moment)

    def advance(self, **delta: float) -> datetime:
        """Move the clock forward by `timedelta(**delta)`; returns the new moment."""
        return self.set(self.now + timedelta(**delta))

    def set(self, moment: datetime) -> datetime:
        self.now = moment
        app_clock.stop_at(moment)
        return moment


def wait_until(
    condition: Callable[[], T],
    timeout: float = 10.0,
    every: float = 0.02,
    failure: Callable[[], str] | None = None,
) -> T:
    """Poll `condition` until it returns something truthy, and return that. After `timeout`
    seconds of real time (the other process is slow or stuck) fail, saying `failure()`."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            said = failure() if failure else f"{condition!r}"
            raise AssertionError(f"not so after {timeout:g} s: {said}")
        time.sleep(every)


def lock_waits(engine, but_pid: int | None = None) -> int:
    """PostgreSQL backends of this database waiting for a lock now (apart from `but_pid`), seen
    on a connection of its own: a transaction would keep showing the first answer."""
    with engine.connect() as probe:
        return probe.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid IS DISTINCT FROM :pid"
            ),
            {"pid": but_pid},
        ).scalar_one()
