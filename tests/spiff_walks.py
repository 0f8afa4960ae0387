"""A check of `engine.speed.spiff`: each task-tree walk is also made Spiff's way and compared."""

from __future__ import annotations

import copy
from contextlib import contextmanager

from SpiffWorkflow.util.task import TaskIterator

from engine.speed import spiff as spiff_speed


class WalkMismatch(AssertionError):
    pass


@contextmanager
def walks_compared():
    """While active, each walk's first step lists the whole walk both ways (on copies of the
    iterator, before the caller can change the tree) and raises WalkMismatch if they differ.
    Yields a counter: `counted["walks"]` is the number of walks compared."""
    counted = {"walks": 0}
    installed = TaskIterator.__next__

    def checked(iterator):
        if "_compared" not in iterator.__dict__:
            iterator._compared = True
            theirs = _fresh(iterator)
            ours = _fresh(iterator)
            expected = _drain(lambda: spiff_speed.SPIFF_NEXT(theirs))
            got = _drain(lambda: installed(ours))
            if [id(task) for task in got] != [id(task) for task in expected]:
                raise WalkMismatch(
                    f"{type(iterator).__name__}: Spiff walks {_names(expected)}, "
                    f"engine.speed.spiff walks {_names(got)}"
                )
            counted["walks"] += 1
        return installed(iterator)

    TaskIterator.__next__ = checked
    try:
        yield counted
    finally:
        TaskIterator.__next__ = installed


def _fresh(iterator):
    twin = copy.copy(iterator)
    twin.__dict__.pop("_walk", None)
    twin.__dict__.pop("_compared", None)
    twin.task_list = list(iterator.task_list)
    return twin


def _drain(step) -> list:
    found = []
    while True:
        try:
            found.append(step())
        except StopIteration:
            return found


def _names(tasks) -> list[str]:
    return [task.task_spec.name for task in tasks]
