"""Fixtures for running BPMN processes through the engine against the real database."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from engine import repository
from engine.actions import ActionContext, action
from models.catalog import Premise
from models.process import HumanTask, HumanTaskStatus

DATA = Path(__file__).parent / "data"


class ExplodeSwitch:
    """Makes the `test_explode` action fail until a test mends it."""

    broken = True


@action(
    "test_explode",
    "Тестовое действие: меняет цену помещения, затем падает, пока не починят",
    params={"premise_id": ("int", "Помещение")},
)
def test_explode(ctx: ActionContext, premise_id: int):
    premise = ctx.session.get(Premise, premise_id)
    premise.price = Decimal("1.00")  # a write that must be rolled back when the action fails
    ctx.session.flush()
    if ExplodeSwitch.broken:
        raise RuntimeError("сервис банка недоступен")
    return {"ok": True}


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
