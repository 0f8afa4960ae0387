"""What cancelling an instance gives back: each process declares its compensation.

An administrator cancels an instance that failed, or one that must not go on. The workflow stops
where it is, and the business rows it held come back to a consistent state: a reservation's
process lets its premise go (free, or to the first client in the queue) and tells the manager.

A compensation is `func(ctx, keys, reason) -> str`, registered under the process id by the area
that owns the process (next to its actions). It loads by the instance's business keys, calls
entity verbs, only flushes, must be safe to run on rows already released, and returns what it
did, in words, for the instance's history. Work on other instances (the queue's next client) goes
through `ctx.start_process` / `ctx.send_message`, as an action's does. A process with nothing to
give back declares none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.core.actions import ActionContext

CompensationFunc = Callable[[ActionContext, dict[str, Any], str], str]


@dataclass(frozen=True)
class Compensation:
    process_id: str
    description: str  # shown to the administrator before cancelling
    func: CompensationFunc


_REGISTRY: dict[str, Compensation] = {}


def compensation(process_id: str, description: str):
    """Register `func(ctx, keys, reason) -> str` as what cancelling `process_id` gives back."""

    def decorator(func: CompensationFunc) -> CompensationFunc:
        if process_id in _REGISTRY:
            raise ValueError(f"compensation of {process_id} registered twice")
        _REGISTRY[process_id] = Compensation(process_id, description, func)
        return func

    return decorator


def of(process_id: str) -> Compensation | None:
    return _REGISTRY.get(process_id)


def registered() -> dict[str, Compensation]:
    return dict(_REGISTRY)
