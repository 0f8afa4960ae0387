"""Preloaders: a tick batch's rows read and locked in a statement or two for the whole batch.

An area registers `@preloader def f(session, instances)` next to its actions. Before the tick
runs a batch of due instances (engine/speed/batches.py, with the speed switch on) it calls every
preloader, which reads and locks the rows the instances' actions are about to need and leaves
them in the transaction's cache (models/db/txcache.py). The actions read those rows through the
same cache whether or not a preloader filled it: they do not know whether they run in a batch.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

Preloader = Callable[[Session, list], None]
_PRELOADERS: list[Preloader] = []


def preloader(func: Preloader) -> Preloader:
    """Register `func(session, instances)` (see the module's text)."""
    _PRELOADERS.append(func)
    return func


def preload(session: Session, instances: list) -> None:
    for func in _PRELOADERS:
        func(session, instances)
