"""What every reservation and its notices need of a premise's building, kept per worker."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import event
from sqlalchemy.orm import Session

from models.catalog.objects import Building, Project
from models.db import shared_cache


@dataclass(frozen=True)
class BuildingFacts:
    """What every reservation and its notices need of a premise's building."""

    project_id: int
    title: str
    time_zone: str


def building_facts(session: Session, building_id: int) -> BuildingFacts:
    """Kept per worker for a few seconds (models/shared_cache.py): a reservation, and a tick
    batch expiring hundreds, would otherwise read the building and its project every time."""

    def read() -> BuildingFacts:
        building = session.get(Building, building_id)
        return BuildingFacts(building.project_id, building.title, building.time_zone)

    return shared_cache.remember(session, "building_facts", building_id, read)


@event.listens_for(Building, "after_update")
@event.listens_for(Project, "after_update")
def _building_changed(mapper, connection, target) -> None:
    shared_cache.drop("building_facts")
