"""The one clock: every "now" of the application (and of SpiffWorkflow's timers) is read here.

Production reads the system clock. A test stops the clock at a moment (`stop_at`), moves it
(`stop_at(later)`) and lets it run again (`run_freely`); the `clock` fixture in tests/conftest.py
does this. Reading the clock stays one global lookup and one comparison: the tick reads it often.
"""

from __future__ import annotations

from datetime import UTC, datetime

_stopped_at: datetime | None = None


def utcnow() -> datetime:
    """The current moment, aware, in UTC."""
    if _stopped_at is None:
        return datetime.now(UTC)
    return _stopped_at


def stop_at(moment: datetime) -> None:
    """From now on the clock shows `moment` (aware) until it is stopped elsewhere or runs again."""
    global _stopped_at
    if moment.tzinfo is None:
        raise ValueError("the clock is stopped at an aware moment")
    _stopped_at = moment.astimezone(UTC)


def run_freely() -> None:
    """The clock follows the system clock again."""
    global _stopped_at
    _stopped_at = None
