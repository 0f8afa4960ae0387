"""The one clock (models.db.clock): aware moments in UTC, whether it runs or is stopped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from models.db import clock


@pytest.fixture(autouse=True)
def _released():
    yield
    clock.run_freely()


def test_the_running_clock_gives_the_current_moment_in_utc():
    now = clock.utcnow()
    assert now.utcoffset() == timedelta(0)
    assert abs(now - datetime.now(UTC)) < timedelta(minutes=1)


def test_a_clock_stopped_at_a_moscow_moment_shows_it_in_utc():
    moscow = timezone(timedelta(hours=3))
    clock.stop_at(datetime(2026, 4, 1, 0, 30, tzinfo=moscow))

    assert clock.utcnow() == datetime(2026, 3, 31, 21, 30, tzinfo=UTC)
    assert clock.utcnow().utcoffset() == timedelta(0)


def test_the_clock_is_not_stopped_at_a_naive_moment():
    with pytest.raises(ValueError, match="^the clock is stopped at an aware moment$"):
        clock.stop_at(datetime(2026, 4, 1, 0, 30))
    assert abs(clock.utcnow() - datetime.now(UTC)) < timedelta(minutes=1)  # still running


def test_a_released_clock_runs_again():
    clock.stop_at(datetime(2020, 1, 1, tzinfo=UTC))
    clock.run_freely()

    assert clock.utcnow().year > 2020
