"""The tick's batches: a batch of due timers run as one, in one savepoint, while nothing fails.

With the speed switch on, the batch's preloaders (engine/speed/preload.py) first read and lock
the rows its actions will need; every instance then runs with its actions unguarded
(engine/speed/steps.py) and without a flush of its own; the instance rows are written by one
versioned executemany (`models.db.versioned_writes`), and the rest goes with the savepoint's
flush. When anything fails the batch is rolled back to that savepoint and run again instance by
instance, each in its own savepoint (one broken instance does not stop the others), first with
its actions unguarded and, if one of them fails, once more with each action in its own
savepoint — so a BPMN error boundary event sees exactly what it would have seen the first time.

With the switch off every instance runs on its own from the start, its actions guarded, and the
ORM writes each row: the same outcome, one statement or more per row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy.orm import Session

from engine import speed
from engine.speed.preload import preload
from engine.speed.steps import UnguardedActionFailed
from models.db.versioned_writes import write_changed

log = logging.getLogger(__name__)

# fire(instance, guarded=…, flush=…): advance one due instance (engine.core.run.advance's flags)
Fire = Callable[..., None]


def fire_all(
    session: Session, instances: list, fire: Fire, broken: Callable[[object, Exception], None]
) -> int:
    """Fire every instance; `broken(instance, error)` for each that failed on its own, after its
    savepoint was rolled back. Returns how many were fired."""
    undone = False
    if speed.is_on():
        try:
            with session.begin_nested():  # the whole batch in one savepoint while nothing fails
                preload(session, instances)  # their rows, read and locked at once
                for instance in instances:
                    fire(instance, guarded=False, flush=False)
                write_changed(session, instances)  # one statement, not one versioned UPDATE each
            return len(instances)
        except (Exception, UnguardedActionFailed):  # undone; now one by one, each on its own
            log.info("tick: a batch of %d timers is run again instance by instance", len(instances))
            undone = True
    fired = 0
    for instance in instances:
        if undone:
            session.expire(instance)  # what the batch left in memory is not what the row holds
        try:
            _fire_one(session, instance, fire)
            fired += 1
        except Exception as error:  # noqa: BLE001 - one broken instance must not stop the tick
            broken(instance, error)
    return fired


def _fire_one(session: Session, instance, fire: Fire) -> None:
    if speed.is_on():
        try:
            with session.begin_nested():
                fire(instance, guarded=False, flush=True)
            return
        except UnguardedActionFailed:  # undone: again, each action in its own savepoint
            pass
    with session.begin_nested():
        fire(instance, guarded=True, flush=True)
