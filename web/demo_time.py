"""The demo's past, replayed in order: each step runs with the application's clock stopped at its
moment, after the tick has fired the process timers due before it (reservations expire, queues
move on), as it would have happened in a running department. The tick runs only when a timer
is due, and once more at the end (reminders, escalations, the periodic checks): ticking before
every step made `demo load` twice as slow."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.tick import tick
from models.db import clock
from models.process.instance import ProcessInstance, ProcessStatus

MAX_TICK_ROUNDS = 50
BATCH = 200


class Timeline:
    """Steps at moments up to `now`; `run()` plays them in time order (a step may add later
    ones), then ticks at `now`. Steps at one moment run in the order they were added."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now
        self._steps: list[tuple[datetime, int, Callable[[], None]]] = []
        self._added = 0
        self._current: datetime | None = None

    def at(self, moment: datetime, step: Callable[[], None]) -> None:
        if moment > self.now or (self._current is not None and moment < self._current):
            raise ValueError(f"a demo step at {moment} is outside the demo's past")
        self._added += 1
        heapq.heappush(self._steps, (moment, self._added, step))

    def run(self) -> None:
        while self._steps:
            moment, _, step = heapq.heappop(self._steps)
            if moment != self._current:
                self.move_to(moment, only_timers=True)
            step()
        self.move_to(self.now)

    def move_to(self, moment: datetime, *, only_timers: bool = False) -> None:
        """Stop the clock at `moment` and do the due work (with `only_timers`, tick only if a
        process timer is due); only flushes (the caller commits)."""
        self._current = moment
        clock.stop_at(moment)
        if only_timers and not self._timer_due(moment):
            return
        for _ in range(MAX_TICK_ROUNDS):
            done = tick(self.session, now=moment, batch_size=BATCH)
            counts = [done.timers + done.errors, done.reminders, done.escalations]
            if max(counts + list(done.jobs.values())) < BATCH:  # as run_until_idle decides
                break

    def _timer_due(self, moment: datetime) -> bool:
        return (
            self.session.scalar(
                select(ProcessInstance.id)
                .where(
                    ProcessInstance.status == ProcessStatus.waiting,
                    ProcessInstance.next_timer_at <= moment,
                )
                .limit(1)
            )
            is not None
        )
