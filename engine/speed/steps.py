"""Unguarded steps: a step's actions without savepoints of their own, its writes sent at once.

Guarded — always when the speed switch is off — each action of a step runs in a savepoint and
its `ctx.flush()` sends its writes at once: a failing action leaves nothing behind, and the flow
goes on (a BPMN error) or the instance goes to `error`.

Unguarded, for a caller that can undo the whole step and do it again guarded (the web's edge
for a request, the tick for a batch): the actions run without savepoints, their `ctx.flush()`
waits for the step's own flush (a tick batch's: for the whole batch), and any failure — in an
action or in that flush, where a constraint the actions broke fails — is
`UnguardedActionFailed`. The caller then undoes the step and redoes it guarded, where the same
failure happens inside its action, as it would have the first time. The common case, where
nothing fails, saves a SAVEPOINT and a RELEASE per action and a flush per action.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from sqlalchemy.orm import Session

from engine import speed

T = TypeVar("T")
_UNGUARDED: ContextVar[bool] = ContextVar("unguarded_actions", default=False)


class UnguardedActionFailed(BaseException):  # noqa: N818 - a signal, not an error to report
    """An action failed while actions ran without savepoints of their own.

    A BaseException, so that SpiffWorkflow lets it through untouched: the caller rolls back what
    the step wrote and runs the step again guarded."""


@contextmanager
def unguarded_actions() -> Iterator[None]:
    """The actions of every step advanced inside run unguarded (when the speed switch is on).

    A failing one raises `UnguardedActionFailed`: the caller (the web's edge) rolls back its own
    transaction and runs the work again guarded. Never rolled back here: the engine does not
    end its caller's transaction."""
    token = _UNGUARDED.set(speed.is_on())
    try:
        yield
    finally:
        _UNGUARDED.reset(token)


def guarded(asked: bool | None = None) -> bool:
    """Whether a step's actions get savepoints: as `asked` (a tick batch says), else as
    `unguarded_actions` has set it; always when the switch is off."""
    if not speed.is_on():
        return True
    return not _UNGUARDED.get() if asked is None else asked


def run_action(session: Session, name: str, call: Callable[[], T], *, guarded: bool) -> T:
    if guarded:
        with session.begin_nested():  # a failing action leaves nothing behind
            return call()
    try:
        return call()
    except Exception as error:
        raise UnguardedActionFailed(name) from error


def flush_action(session: Session, *, guarded: bool, needed: tuple) -> None:
    """An action's `ctx.flush()`: now when guarded or when it names rows it needs written (a new
    row whose id it reads); otherwise with the step's own flush."""
    if guarded or needed:
        session.flush()


def flush_step(session: Session, *, guarded: bool, batch: bool, followups: bool) -> None:
    """The step's own flush, once its state is stored; in a tick batch, the batch's flush at its
    end serves every instance — unless work queued on other instances runs first."""
    if batch and not followups:
        return
    try:
        session.flush()
    except Exception as error:
        if guarded:
            raise
        raise UnguardedActionFailed("flush") from error
