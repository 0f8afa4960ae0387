"""The transaction edge: one transaction per request (or CLI command), committed here only.

- `Edge` (the app class) runs every view in one transaction: a view that returns is committed;
  one that raises is rolled back, and the app's error handlers answer (a `DomainError` is a
  page, or a JSON error under /api/, with the error's status; anything else is logged and
  answers 500).
- `unit_of_work()` is for a view that shows a refused rule itself: a `DomainError` raised in
  the block undoes the request's work and becomes a message at the form's field, a flash, or
  `work.error` for the view to show; the view goes on and its answer is committed.
- `redo_guarded()` is the only place that runs a step with its actions unguarded and, when
  one fails, undoes the request's work and runs the step again guarded.
- `committed` is the same edge for a CLI command.

Nothing below this module commits or rolls back the request's transaction; it only flushes.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from flask import Flask, flash, has_request_context, session
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import SessionTransaction
from werkzeug.exceptions import ServiceUnavailable

from engine.core.errors import FormInvalid
from engine.core.run import UnguardedActionFailed, unguarded_actions
from models.db.errors import ChangedMeanwhile, DomainError
from web import sqlite_locking
from web.extensions import db

T = TypeVar("T")

# The answer when SQLite's write lock stayed taken for the whole busy timeout (an overload).
BUSY_MESSAGE = "Сейчас сервер занят другими изменениями. Повторите через несколько секунд."
BUSY_RETRY_AFTER = 5  # seconds


class RedoRequest(Exception):  # noqa: N818 - a signal to the edge, not an error to report
    """The request lost a race that its own answer depends on (the API's idempotency record):
    the edge undoes its work and runs the view once more, which now sees the winner's rows."""


def in_one_transaction(work: Callable[[], T]) -> T:
    """Run `work()` and commit; on any exception roll back (and drop the flashes it queued:
    they announced a success that is undone) and let the exception through.

    Run again once, after undoing the first run's work: a `RedoRequest`, and on SQLite a reading
    request that wrote after all and lost the race for the write lock (web/sqlite_locking.py),
    which then waits its turn for the lock."""
    try:
        try:
            result = _committed(work)
        except RedoRequest:
            db.session.rollback()
            result = _committed(work)
        except OperationalError as error:
            if not sqlite_locking.lost_race_to_write(error):
                raise
            db.session.rollback()
            with sqlite_locking.writing():
                result = _committed(work)
    except OperationalError as error:
        _roll_back()
        if has_request_context() and sqlite_locking.is_busy(error):
            raise ServiceUnavailable(BUSY_MESSAGE, retry_after=BUSY_RETRY_AFTER) from error
        raise
    except BaseException:
        _roll_back()
        raise
    return result


def _roll_back() -> None:
    db.session.rollback()
    if has_request_context():
        session.pop("_flashes", None)


def _committed(work: Callable[[], T]) -> T:
    result = work()
    db.session.commit()
    return result


class Edge(Flask):
    """The Flask app whose every view runs in one transaction (`in_one_transaction`)."""

    def dispatch_request(self):
        return in_one_transaction(super().dispatch_request)


def committed(command: Callable[..., T]) -> Callable[..., T]:
    """A CLI command in one transaction: committed when it returns, rolled back if it raises."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        with sqlite_locking.writing():  # a command writes: on SQLite it queues for the lock
            return in_one_transaction(lambda: command(*args, **kwargs))

    return run


class unit_of_work:  # noqa: N801 - used as a statement: `with edge.unit_of_work(form) as work:`
    """A block whose refused rule the view answers itself.

    A `DomainError` raised in the block rolls back the request's work (or, with
    `keep_earlier=True`, only the block's, from a savepoint) and is reported: at the form's
    field (or above the form) when a form is given, else as a flash unless `report=False`.
    The view then reads `work.failed` / `work.error` / `work.errors`. `only`: the refusals
    the view answers itself; any other error goes through to the edge, which rolls everything
    back and answers with the error's page (a DomainError) or 500.
    """

    def __init__(
        self,
        form=None,
        *,
        report: bool = True,
        keep_earlier: bool = False,
        only: type[DomainError] | tuple[type[DomainError], ...] = DomainError,
    ):
        self.form = form
        self.report = report
        self.keep_earlier = keep_earlier
        self.only = only
        self.error: DomainError | None = None
        self._savepoint: SessionTransaction | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    @property
    def errors(self) -> dict[str, str]:
        """The refusal as messages by field: a form's own errors, else {field or "form": text}."""
        if self.error is None:
            return {}
        if isinstance(self.error, FormInvalid):
            return dict(self.error.errors)
        return {self.error.field or "form": self.error.message}

    def __enter__(self) -> unit_of_work:
        if self.keep_earlier:
            self._savepoint = db.session.begin_nested()
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        if error is None:
            if self._savepoint is not None:
                self._savepoint.commit()
            return False
        if not isinstance(error, self.only):
            return False
        if self._savepoint is not None:
            self._savepoint.rollback()
        else:
            db.session.rollback()
        self.error = error
        if self.form is not None:
            put_error(self.form, error)
        elif self.report:
            flash(error.message, "danger")
        return True


def put_error(form, error: DomainError) -> None:
    """The message at the form's field named by the error, else above the form."""
    field = getattr(form, error.field or "", None)
    if field is None:
        form.form_errors.append(error.message)
    else:
        field.errors.append(error.message)


def redo_guarded(work: Callable[[], T]) -> T:
    """Run `work()` with the actions of every step it advances unguarded (no savepoint each);
    if one fails, roll the request's work back and run `work()` again with each action guarded.

    For a request whose transaction holds nothing but `work()`'s writes so far (completing a
    task, booking online): the common case, where no action fails, saves a SAVEPOINT and a
    RELEASE per action. Not inside `unit_of_work(keep_earlier=True)`."""
    try:
        with unguarded_actions():
            return work()
    except UnguardedActionFailed:
        db.session.rollback()
    return work()


def flush_or_refuse(message: str) -> None:
    """Send the block's writes now; a constraint they break (another request changed the same
    rows meanwhile) is a refusal with `message`, which the block's `unit_of_work` reports."""
    try:
        db.session.flush()
    except IntegrityError as error:
        raise ChangedMeanwhile(message) from error


def keep_before_work() -> None:
    """Commit the bookkeeping a request writes before its work (an API key's last use), so
    that a refusal, which rolls the work back, keeps it. Never once the work has begun."""
    db.session.commit()
