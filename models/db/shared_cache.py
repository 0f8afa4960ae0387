"""Values every request reads and an admin rarely changes (settings, notification texts), kept
by each worker process for a few seconds instead of read again by every transaction.

How long a value is kept comes from `configure(seconds)`: the web app passes a function that reads
`SHARED_CACHE_SECONDS` (default 5; 0 turns the cache off, as the test configuration does) from
the current app's config; until then, and outside an app, the cache is off. It bounds how stale a
value may be: the process that writes a value drops its copy at once (`forget`),
other workers — gunicorn's, Celery's — see the change within that time. Values are keyed by the
database they came from and must be plain, immutable data, never ORM rows: they outlive the
session that read them and are shared between threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")

_values: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


def _off() -> float:
    return 0.0


_seconds: Callable[[], float] = _off


def configure(seconds: Callable[[], float]) -> None:
    """Where the time a value is kept comes from (called once per process by the web app)."""
    global _seconds
    _seconds = seconds


def remember(session: Session, namespace: str, key: Hashable, compute: Callable[[], T]) -> T:
    """The kept value, or `compute()` kept from now on (values are never None)."""
    found = peek(session, namespace, key)
    if found is None:
        found = compute()
        keep(session, namespace, key, found)
    return found


def peek(session: Session, namespace: str, key: Hashable):
    """The kept value, or None (also when the cache is off or the value has expired)."""
    if _seconds() <= 0:
        return None
    found = _values.get((session.get_bind().url, namespace, key))
    if found is None or found[0] <= time.monotonic():
        return None
    return found[1]


def keep(session: Session, namespace: str, key: Hashable, value: object) -> None:
    seconds = _seconds()
    if seconds > 0:
        with _lock:
            _values[(session.get_bind().url, namespace, key)] = (time.monotonic() + seconds, value)


def forget(session: Session, namespace: str) -> None:
    """Drop this process's copies of a namespace: its writer calls this after a change, and
    they are dropped again once the change commits (another thread may have read the old value
    in between)."""
    drop(namespace)
    event.listen(session, "after_commit", lambda _session: drop(namespace), once=True)


def drop(namespace: str) -> None:
    """Drop this process's copies at once (for writers that have no session at hand)."""
    with _lock:
        for full_key in [k for k in _values if k[1] == namespace]:
            del _values[full_key]
