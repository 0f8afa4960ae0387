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
- a request that may write (any method but GET, HEAD, OPTIONS): writers queue, as SQLite
  serialises them anyway; the lock is held from the first read, not the first write;
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

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for the one before it
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


def takes_write_lock() -> bool:
    if _writing.get():
        return True
    return has_request_context() and request.method not in READING_METHODS


def lost_race_to_write(error: BaseException) -> bool:
    """A deferred transaction could not get the write lock (another writer held it or committed
    since its snapshot); run again under `writing()`, it waits its turn instead."""
    if not isinstance(error, OperationalError) or _writing.get():
        return False
    cause = error.orig
    return (
        isinstance(cause, sqlite3.OperationalError)
        and getattr(cause, "sqlite_errorcode", None) is not None
        and cause.sqlite_errorcode & 0xFF == sqlite3.SQLITE_BUSY
    )


def configure(engine) -> None:
    """SQLite: enforce foreign keys, WAL, wait for locks, and let SQLAlchemy own transactions
    (pysqlite's own transaction handling breaks SAVEPOINTs) with the BEGIN chosen above."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if takes_write_lock() else "BEGIN")
