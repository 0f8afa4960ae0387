"""The one list of business areas. Registering an area registers its actions, events and jobs.

Each area is a package engine/<name>/ with the same rooms: `actions.py` (@action service tasks),
`events.py` (its notification events, declared in the catalog), `jobs.py` (periodic work the
tick runs), `compensations.py` (what cancelling its processes gives back); an area has the rooms
it needs. Importing a room registers what it declares, so
registering twice changes nothing. create_app(), the Celery app and the tests call
`register_all()`; engine.core imports no area (an import-linter contract keeps it so).
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass

ROOMS = ("actions", "events", "jobs", "compensations")


@dataclass(frozen=True)
class Area:
    name: str  # the package under engine/
    extra: tuple[str, ...] = ()  # more modules that register actions, events or jobs

    def modules(self) -> list[str]:
        rooms = [f"engine.{self.name}.{room}" for room in ROOMS]
        found = [module for module in rooms if importlib.util.find_spec(module) is not None]
        return found + [f"engine.{self.name}.{module}" for module in self.extra]


AREAS = (
    Area("catalog"),  # construction objects, premises, prices
    Area("sales", extra=("changes",)),  # reservations, the queue, changes of a reservation
    Area("clients"),  # client cards, merge, search
    Area("crm"),  # the client's history, tasks
)


def register(area: Area) -> None:
    """Register the area's actions, events and jobs (once, however often it is called)."""
    for module in area.modules():
        importlib.import_module(module)


def register_all() -> None:
    importlib.import_module("engine.core.events")  # the engine's own events come first
    for area in AREAS:
        register(area)
