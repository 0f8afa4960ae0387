"""Test processes (tests/processes/data/*.bpmn), published as an analyst would."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

import tests.process_support  # noqa: F401 - registers the test actions these processes call
from engine.bpmn import repository
from models.process.instance import ProcessModel

DATA = Path(__file__).parents[1] / "processes" / "data"


def published(session: Session, name: str) -> ProcessModel:
    """The next published version of the test process `name` (its file stem)."""
    return repository.publish(session, (DATA / f"{name}.bpmn").read_text("utf-8"))
