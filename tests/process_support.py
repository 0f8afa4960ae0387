"""Test-only service actions, registered once for every test that publishes test processes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engine.actions import ActionContext, action
from models.catalog import Premise

FEATURES_BPMN = Path(__file__).parent / "processes" / "data" / "engine_features.bpmn"


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
