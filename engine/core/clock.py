"""SpiffWorkflow's timers read our clock (`models.db.clock`), as the rest of the engine does.

SpiffWorkflow decides when a duration timer is due and whether a timer has fired with
`datetime.now(timezone.utc)` inside its timer module. That module's `datetime` is replaced by a
subclass whose `now()` reads our clock, so a test that moves the clock moves the process's timers
with it, and the tick, the stored next-timer time and SpiffWorkflow agree on what "now" is.
Installed once, when `engine.core` is imported.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo

from SpiffWorkflow.bpmn.specs.event_definitions import timer

from models.db.clock import utcnow


class ClockDatetime(datetime):
    """`datetime` whose `now()` is our clock; everything else is the standard class."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:
        moment = utcnow()
        if tz is UTC:  # what SpiffWorkflow asks for: our clock's own answer
            return moment
        if tz is None:  # the standard meaning: naive local time
            return moment.astimezone().replace(tzinfo=None)
        return moment.astimezone(tz)


def install() -> None:
    timer.datetime = ClockDatetime


install()
