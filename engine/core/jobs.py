"""Periodic jobs: an area's work that the tick runs on every round, registered by name.

A job is `func(session, now, batch_size) -> int`: it takes at most `batch_size` due rows (with
`due()`, so two workers never take the same row), does their work, only flushes, and returns
how many it handled; a full batch makes the tick go round again. It must be safe to run twice:
a row it handled is no longer due.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

JobFunc = Callable[[Session, datetime, int], int]


@dataclass(frozen=True)
class Job:
    name: str
    description: str
    func: JobFunc
    reminders: bool = False  # what it does is a reminder: counted with the tick's reminders


_REGISTRY: dict[str, Job] = {}


def job(name: str, description: str, *, reminders: bool = False):
    """Register `func(session, now, batch_size) -> int` as the periodic job `name`."""

    def decorator(func: JobFunc) -> JobFunc:
        if name in _REGISTRY:
            raise ValueError(f"job {name} registered twice")
        _REGISTRY[name] = Job(name, description, func, reminders)
        return func

    return decorator


def registered() -> dict[str, Job]:
    return dict(_REGISTRY)


def due(session: Session, query, batch_size: int):
    """At most `batch_size` rows of `query`; on PostgreSQL locked, skipping rows another worker
    holds."""
    query = query.limit(batch_size)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalars(query).all()
