"""Per-run budget: steps, wall time, allocation and call depth.

One ``Budget`` belongs to one evaluation, so concurrent runs in Flask threads or Celery workers
never share counters. Once a limit is hit the budget stays failed: every later check raises
again, so nothing in the sandboxed code can keep running after the first refusal.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from time import monotonic as clock  # the budget's clock (not business time); tests replace it
from typing import Any

from engine.sandbox.base import Limits, SandboxLimitError

_SEQUENCES = (list, tuple, set, frozenset)
VIEWS = (type({}.keys()), type({}.values()), type({}.items()))
_DEADLINE_EVERY = 4096  # nodes between clock checks while measuring a structure
# Values that count as one unit whatever they hold (Decimal is kept short by the guards).
_ATOMS = frozenset({type(None), bool, float, Decimal, date, datetime, time, timedelta})
_INTS = frozenset({int, bool})


class Budget:
    """Counters of one run and the checks that refuse to go past the limits."""

    def __init__(self, limits: Limits, kind: str) -> None:
        self.limits = limits
        self.kind = kind  # "eval" or "exec", only used in messages
        self.deadline = clock() + limits.seconds
        self.steps = 0
        self.allocated = 0
        self.depth = 0
        self.failure: str | None = None

    def fail(self, message: str) -> None:
        """Refuse the run; the budget stays failed."""
        if self.failure is None:
            self.failure = message
        raise SandboxLimitError(self.failure)

    def step(self) -> bool:
        """Count one step and check the clock; returns True so it fits in conditions."""
        if self.failure is not None:
            raise SandboxLimitError(self.failure)
        self.steps += 1
        if self.steps > self.limits.max_steps:
            self.fail(f"Превышено число шагов выполнения (предел {self.limits.max_steps})")
        if clock() > self.deadline:
            what = "выражения" if self.kind == "eval" else "сценария"
            self.fail(f"Превышено время выполнения {what} ({self.limits.seconds:g} с)")
        return True

    def tick(self, value: Any) -> Any:
        """A step placed in front of an operation that may be slow on large data."""
        self.step()
        return value

    def charge(self, units: int) -> None:
        """Count ``units`` of memory built by the run."""
        self.allocated += units
        if self.allocated > self.limits.max_allocation:
            limit = self.limits.max_allocation
            self.fail(f"Превышен объём данных, создаваемых выражением (предел {limit} элементов)")

    def check_length(self, length: int) -> None:
        """Refuse a single string or collection longer than allowed."""
        if length > self.limits.max_sequence:
            limit = self.limits.max_sequence
            self.fail(f"Слишком большой результат: {length} элементов (предел {limit})")

    def remaining(self) -> int:
        return max(self.limits.max_allocation - self.allocated, 0)

    def charge_deep(self, value: Any, times: int = 1) -> None:
        """Charge the full tree size of ``value`` (shared parts counted every time)."""
        if times <= 0:
            return
        size = self.deep_size(value, self.remaining() // times + 1)
        self.charge(size * times)

    def deep_size(self, value: Any, limit: int) -> int:
        """Tree size of ``value``, stopping as soon as it exceeds ``limit``.

        Shared references are counted at every place they occur: that is the cost of comparing,
        hashing or printing the structure, which is what this measure bounds.
        """
        total = 0
        stack = [value]
        visited = 0
        while stack:
            item = stack.pop()
            kind = type(item)
            if kind is str:
                total += 1 + len(item)
            elif kind is int:
                total += 1 + item.bit_length() // 64
            elif kind is dict:
                total += 1 + _flat_size(item.keys(), stack) + _flat_size(item.values(), stack)
            elif kind in _SEQUENCES or kind in VIEWS:
                total += 1 + _flat_size(item, stack)
            else:
                total += 1
            if total > limit:
                return total
            visited += 1
            if visited % _DEADLINE_EVERY == 0:
                self.step()
        return total


def _flat_size(items: Any, stack: list) -> int:
    """Size of the elements of a collection, measured in bulk when they are all simple.

    Elements that need a closer look are pushed on ``stack`` and counted later.
    """
    kinds = set(map(type, items))
    if kinds <= _ATOMS:
        return len(items)
    if kinds == {str}:
        return len(items) + sum(map(len, items))
    if kinds <= _INTS:
        return len(items) + sum(map(int.bit_length, items)) // 64
    stack.extend(items)
    return 0
