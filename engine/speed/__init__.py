"""Speed-ups of SpiffWorkflow and of the tick's batches, behind one switch.

`install(True)` — what `create_app()` and the Celery app do, from the `SPEED` setting (on unless
the environment says `SPEED=0`) — puts every speed-up in place; `install(False)` takes them all
away. Either way the engine does the same work with the same outcome, which is why the process
tests run both ways (tests/processes/conftest.py). Nothing is installed by importing `engine`.

- `spiff`: SpiffWorkflow's task-tree walks, its loggers' level and its state names;
- `state`: the state reader/writer's shortcuts (each task id parsed once, plain JSON kept as
  parsed, each task handed straight to its converter) — off, SpiffWorkflow's own converters;
- `steps`: unguarded steps — a step's actions run without savepoints of their own and their
  writes go with the step's one flush; when one fails the step is done again guarded — off,
  every action in its own savepoint and every `ctx.flush()` sent at once;
- `preload`: preloaders that read and lock a tick batch's rows in a statement or two — off, each
  action reads its own rows;
- `batches`: the tick's due timers run as one batch in one savepoint, their instance rows written
  by one versioned executemany (`models.db.versioned_writes`), and history lines of known
  parents written by one Core INSERT per table (`models.db.history_rows`, switched from here:
  models never import the engine) — off, one savepoint per instance and the ORM writes each row.
"""

from __future__ import annotations

_installed = {"on": False}


def install(enabled: bool = True) -> None:
    """Put every speed-up in place (`enabled`) or take every one away; may be called again."""
    from engine.speed import spiff, state
    from models.db import history_rows

    spiff.install(enabled)
    state.install(enabled)
    history_rows.write_in_bulk(enabled)
    _installed["on"] = enabled


def is_on() -> bool:
    return _installed["on"]
