"""The embedded mode's SQLite under concurrency: WAL, a busy timeout, and a write lock taken when
a writing transaction begins.

Why the busy timeout alone is not enough: a transaction begun with a plain (deferred) BEGIN that
reads first holds a WAL snapshot. When it then writes, SQLite upgrades it to the write lock, and
if another connection committed since the snapshot was taken, the upgrade fails at once with
SQLITE_BUSY («database is locked»): waiting cannot make a stale snapshot fresh, so the busy
handler is not used. Nearly every writing request reads first (the API key, the premise), so
under load most of them failed. `BEGIN IMMEDIATE` takes the write lock first, waiting its turn
(busy_timeout) behind the current writer, and then reads the latest data.

Which transactions take it:
- a request that may write (any method but GET, HEAD, OPTIONS, unless its view is marked
  `reads_only`): writers queue, as SQLite serialises them anyway; the lock is held from the
  first read, not the first write;
- a Celery job, the tick and a CLI command (`writing()`, set by their edges);
- a reading request (GET…) begins deferred, so pages are read side by side with each other and
  with the writer. If one writes after all (bookkeeping) and loses the race, the edge runs it once
  more under `writing()` (`lost_race_to_write`).
PostgreSQL is untouched by all of this.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from contextvars import ContextVar

from flask import current_app, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_writing: ContextVar[bool] = ContextVar("sqlite_writing", default=False)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside the block take SQLite's write lock at BEGIN."""
    token = _writing.set(True)
    try:
        yield
    finally:
        _writing.reset(token)


def reads_only(view):
    """Marks a view that answers a POST mostly by reading (logging in: a password check takes
    0.15 s, which other writers need not wait for; only a failure or the first success after
    failures writes a row). It begins like a page; if it writes after
    all and loses the race, the edge runs it again holding the lock."""
    view.sqlite_reads_only = True
    return view


def takes_write_lock() -> bool:
    if _writing.get():
        return True
    if not has_request_context() or request.method in READING_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, "sqlite_reads_only", False)


def is_busy(error: BaseException) -> bool:
    """SQLite's «database is locked»: the write lock was not to be had."""
    cause = getattr(error, "orig", None) if isinstance(error, OperationalError) else None
    code = getattr(cause, "sqlite_errorcode", None)
    return (
        isinstance(cause, sqlite3.OperationalError)
        and code is not None
        and (code & 0xFF == sqlite3.SQLITE_BUSY)
    )


def lost_race_to_write(error: BaseException) -> bool:
    """A deferred transaction could not get the write lock (another writer held it or committed
    since its snapshot); run again under `writing()`, it waits its turn instead. For a
    transaction that took the lock at BEGIN the same error means the wait itself ran out: the
    server is overloaded, and waiting once more would only double the time to say so."""
    return not takes_write_lock() and is_busy(error)


def configure(engine, busy_timeout_ms: int) -> None:
    """SQLite: enforce foreign keys, WAL, wait for locks up to `busy_timeout_ms`, and let
    SQLAlchemy own transactions (pysqlite's own transaction handling breaks SAVEPOINTs) with
    the BEGIN chosen above."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")
