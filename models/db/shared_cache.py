"""Values every request reads and an admin rarely changes (settings, notification texts), kept
by each worker process for a few seconds instead of read again by every transaction.

`SHARED_CACHE_SECONDS` (default 5; 0 turns the cache off, as the test configuration does) bounds
how stale a value may be: the process that writes a value drops its copy at once (`forget`),
other workers — gunicorn's, Celery's — see the change within that time. Values are keyed by the
database they came from and must be plain, immutable data, never ORM rows: they outlive the
session that read them and are shared between threads.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
DEFAULT_SECONDS = 5.0

_values: dict[tuple, tuple[float, object]] = {}
_lock = threading.Lock()


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


def _seconds() -> float:
    if not has_app_context():
        return 0.0
    return float(current_app.config.get("SHARED_CACHE_SECONDS", DEFAULT_SECONDS))
