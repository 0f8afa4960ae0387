"""Test-only service actions, registered once for every test that publishes test processes."""

from __future__ import annotations

from decimal import Decimal

from engine.core.actions import ActionContext, ActionError, action
from models.catalog.objects import Premise


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


@action(
    "test_price_or_fail",
    "Тестовое действие: меняет цену помещения, затем по `outcome` завершается, отказывает "
    "(BPMN-ошибка refused), падает или пишет цену, которую база не примет",
    params={
        "premise_id": ("int", "Помещение"),
        "outcome": ("str", "ok, refused, crash или negative"),
    },
    error_codes=("refused",),
)
def test_price_or_fail(ctx: ActionContext, premise_id: int, outcome: str):
    premise = ctx.session.get(Premise, premise_id)
    premise.price = Decimal("1.00")  # a write that must be rolled back when the action fails
    ctx.session.flush()
    if outcome == "negative":  # breaks the premise's CHECK constraint when it is written
        premise.price = Decimal("-1.00")
        ctx.flush()
        return {"ok": False}
    if outcome == "refused":
        raise ActionError("refused", "банк отказал")
    if outcome == "crash":
        raise RuntimeError("сервис банка недоступен")
    return {"ok": True}


@action(
    "test_ask_bank",
    "Тестовое действие: «запрашивает» банк и возвращает его ответ",
    params={"bank": ("str", "Банк")},
)
def test_ask_bank(ctx: ActionContext, bank: str):
    return {"bank": bank, "answer": "approved"}
