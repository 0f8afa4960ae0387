"""Three changes to how SpiffWorkflow 3.2 does its work, for speed; none changes what it does.

Every engine step (a timer fired by the tick, a task completed in the inbox, a booking) walks
the workflow's task tree a few dozen times: to find READY tasks, to update WAITING ones after
each completed task, to check joins. On the reservation process those walks were a third of
SpiffWorkflow's time (the step is measured by `tests/benchmarks/bench_engine.py` and by
`bench_reservations` (c)).

1. **Log extras.** Spiff computes the extras of its state-change log lines before it knows
   whether anyone will read them, and when its loggers have no level of their own (the default)
   it adds a list of every task id of the workflow, walking the whole tree for each state change.
   Those lines are INFO and DEBUG, below the WARNING the product logs at, so a logger left at
   NOTSET is given WARNING here: nothing that was printed before is lost, and the list is not
   built. A level the deployment sets on `spiff.task` / `spiff.workflow` themselves is kept.

2. **Tree walks.** `TaskIterator` / `BpmnTaskIterator` find the next task with a list popped
   from its front and keep a depth counter by walking up the parents at every leaf. The walk
   below visits the same tasks in the same order, with the same filters, lazily in the same way
   (a task's children are read when the task is reached, as before, so a caller that changes the
   tree while iterating sees what it saw before); it carries each task's depth on a stack instead.
   It serves the default walk (depth-first, `max_depth` 1000); anything else keeps Spiff's own.
   `tests/unit/test_spiff_speed.py` compares both walks on the product's processes, and every
   process test does too (tests/spiff_walks.py).

3. **State names.** Each state change also names the state for the log line (see 1), and Spiff
   builds a table of all names to look up each one. The names are kept here once looked up.

`install(True)` puts the three in place, `install(False)` gives SpiffWorkflow its own back; both
are called through the one switch, `engine.speed.install`.
"""

from __future__ import annotations

import logging

from SpiffWorkflow.bpmn.util.task import BpmnTaskIterator
from SpiffWorkflow.util.task import TaskIterator, TaskState

SPIFF_LOGGERS = ("spiff.task", "spiff.workflow")
DEFAULT_MAX_DEPTH = 1000

SPIFF_NEXT = TaskIterator.__next__  # Spiff's own, kept for other walks and for the tests
SPIFF_STATE_NAME = TaskState.get_name
SPIFF_STATE_NAMES = TaskState.__dict__["get_name"]
_STATE_NAMES: dict[int, str] = {}
_QUIETED: set[str] = set()  # the loggers given WARNING here, not by the deployment


def install(enabled: bool = True) -> None:
    for name in SPIFF_LOGGERS:
        logger = logging.getLogger(name)
        if enabled and logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
            _QUIETED.add(name)
        elif not enabled and name in _QUIETED:
            _QUIETED.discard(name)
            if logger.level == logging.WARNING:
                logger.setLevel(logging.NOTSET)
    TaskIterator.__next__ = _next if enabled else SPIFF_NEXT
    TaskState.get_name = classmethod(_state_name) if enabled else SPIFF_STATE_NAMES


def _state_name(cls, state: int) -> str:
    name = _STATE_NAMES.get(state)
    if name is None:
        name = _STATE_NAMES[state] = SPIFF_STATE_NAME(state)
    return name


def _next(self: TaskIterator):
    walk = self.__dict__.get("_walk")
    if walk is None:
        if not self.depth_first or self.max_depth != DEFAULT_MAX_DEPTH:
            return SPIFF_NEXT(self)
        walk = self._walk = _walk(self, isinstance(self, BpmnTaskIterator))
    return next(walk)


def _walk(iterator: TaskIterator, bpmn: bool):
    """Depth-first, children in order, a subprocess's tree before the task's own children."""
    matches = iterator.task_filter.matches
    min_state, end_at, max_depth = iterator.min_state, iterator.end_at_spec, iterator.max_depth
    skip_subprocesses = bpmn and iterator.skip_subprocesses
    finished_only = iterator.task_filter.state <= TaskState.FINISHED_MASK
    stack = [(task, 0) for task in reversed(iterator.task_list)]
    iterator.task_list = []
    # Every task of one walk has the same top workflow; its dict of subprocesses is read live.
    subprocesses = stack[-1][0].workflow.top_workflow.subprocesses if bpmn and stack else {}
    while stack:
        task, depth = stack.pop()
        children = task._children
        subprocess = subprocesses.get(task.id) if subprocesses else None
        if (
            (children or subprocess is not None)
            and (task.state >= min_state or subprocess is not None)
            and depth < max_depth
            and (end_at is None or task.task_spec.name != end_at)
        ):
            known = task.workflow.tasks.get
            for child in reversed(children):
                stack.append((known(child), depth + 1))
            descend = not (
                subprocess is None
                or skip_subprocesses
                or (task.state >= TaskState.FINISHED_MASK and finished_only)
            )
            if descend:
                stack.append((subprocess.task_tree, depth + 1))
        if matches(task):
            yield task
