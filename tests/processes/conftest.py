"""Fixtures for running BPMN processes through the engine against the real database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.bpmn import repository
from models.process.instance import HumanTask, HumanTaskStatus
from tests.process_support import ExplodeSwitch
from tests.spiff_walks import walks_compared

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def _spiff_walks_compared():
    """Every task-tree walk of these tests is checked against SpiffWorkflow's own."""
    with walks_compared() as counted:
        yield counted


@pytest.fixture
def explode_switch():
    ExplodeSwitch.broken = True
    yield ExplodeSwitch
    ExplodeSwitch.broken = True


@pytest.fixture
def features_process(db_session):
    model = repository.publish(db_session, (DATA / "engine_features.bpmn").read_text("utf-8"))
    db_session.commit()
    return model


@pytest.fixture
def open_tasks(db_session):
    def query(instance_id: int | None = None) -> list[HumanTask]:
        statement = select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
        if instance_id is not None:
            statement = statement.where(HumanTask.instance_id == instance_id)
        return list(db_session.scalars(statement.order_by(HumanTask.id)))

    return query
