"""Values read once per transaction: settings, notification texts, rows already locked.

A batch of the engine tick or one reservation reads the same few rows many times; they are kept
in the session until its transaction commits or rolls back, or until the code that writes them
calls `forget`. Rows written in some other way within the same transaction are not seen: only
the admin pages and the CLI write these tables, and they go through the writers that forget.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

T = TypeVar("T")
_KEY = "per_transaction_cache"


def remember(session: Session, namespace: str, key: Hashable, compute: Callable[[], T]) -> T:
    cache = session.info.setdefault(_KEY, {}).setdefault(namespace, {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def namespace(session: Session, name: str) -> dict:
    """The transaction's dict for `name`, to fill ahead (a tick batch's preloaded rows)."""
    return session.info.setdefault(_KEY, {}).setdefault(name, {})


def locked(session: Session, model: type[T], ident: int, **for_update) -> T | None:
    """`model` row `ident` locked FOR UPDATE (`for_update`: the mode, as `with_for_update`
    takes it), read once per transaction: a second caller in the same transaction — a use
    case's check, then the process action that writes — gets the row the first one locked.
    A rollback, a savepoint's too, forgets it (the lock may have gone with it)."""
    mode = for_update or True
    return remember(
        session,
        "locked_rows",
        _locked_key(model, ident, for_update),
        lambda: session.get(model, ident, with_for_update=mode),
    )


def hold(session: Session, obj: object, ident: int, **for_update) -> None:
    """Count `obj` as locked in this mode without reading it: a row this transaction has just
    inserted (no other transaction sees it before this one commits), or one it has locked in a
    statement of its own (a tick batch's preload)."""
    namespace(session, "locked_rows")[_locked_key(type(obj), ident, for_update)] = obj


def _locked_key(model: type, ident: int, for_update: dict) -> tuple:
    return model, ident, tuple(sorted(for_update.items()))


def forget(session: Session, namespace: str | None = None) -> None:
    caches = session.info.get(_KEY)
    if not caches:
        return
    if namespace is None:
        caches.clear()
    else:
        caches.pop(namespace, None)


@event.listens_for(Session, "after_transaction_end")
def _transaction_ended(session: Session, transaction) -> None:
    # Only the outermost: a savepoint released (an engine action's) keeps what was read.
    if transaction.parent is None:
        forget(session)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    # Any rollback, a savepoint's too: what was read inside it may have been undone.
    forget(session)
