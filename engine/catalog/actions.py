"""Actions of the shipped processes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from engine.core.actions import ActionContext, ActionError, action
from models.catalog.objects import Premise, PriceIsFixed
from models.catalog.price_reference import price_cut_pct
from models.db import txcache
from models.db.errors import DomainError


@action(
    "change_premise_price",
    "Изменить цену помещения (с записью в историю цены)",
    params={
        "premise_id": ("int", "Помещение"),
        "new_price": ("money", "Новая цена, ₽"),
        "user_id": ("int", "Кто инициировал изменение"),
    },
    error_codes=("price_not_changeable",),
)
def change_premise_price(ctx: ActionContext, premise_id: int, new_price: str, user_id: int):
    premise = ctx.session.get(Premise, int(premise_id))
    if premise is None:
        raise ActionError("price_not_changeable", f"Помещение {premise_id} не найдено")
    if not premise.can_change_price():  # refused even when the price would stay the same
        raise ActionError(PriceIsFixed.code, PriceIsFixed(premise).message)
    price = _price(new_price)
    try:  # approved by the head of sales: the new reference price further cuts add up to
        premise.change_price(
            price, by_user_id=user_id, source="process", approved=ctx.approved_by() is not None
        )
    except DomainError as error:
        raise ActionError("price_not_changeable", error.message) from error
    ctx.flush()
    return {"premise_id": premise.id, "price": str(premise.price)}


def _price(text: str) -> Decimal:
    try:
        return Decimal(str(text))
    except InvalidOperation as error:
        raise ActionError("price_not_changeable", f"Цена «{text}» — не число") from error


def _cut_sample(params: dict, data: dict) -> dict:
    """In a try-run (no database): the sample data's `current_price` as the price, and its
    `reference_price` (given) or the same price as the reference."""
    price = data.get("current_price")
    if price in (None, ""):
        return {}
    try:
        price = Decimal(str(price))
        reference = Decimal(str(data.get("reference_price") or price))
        cut = price_cut_pct(reference, params.get("new_price"))
    except (InvalidOperation, ArithmeticError):
        return {}
    return {
        "price": str(price),
        "reference_price": str(reference),
        "reference_source": "пробный запуск",
        "cut_pct": str(cut),
    }


@action(
    "measure_price_cut",
    "Снижение цены от базовой: последней цены, согласованной руководителем или заданной "
    "руководством (вручную, прайс-листом)",
    params={
        "premise_id": ("int", "Помещение"),
        "new_price": ("money", "Предложенная цена, ₽"),
    },
    error_codes=("price_not_changeable",),
    sample=_cut_sample,
)
def measure_price_cut(ctx: ActionContext, premise_id: int, new_price: str):
    """The premise's price and reference price now, read under its lock (two requests at once
    are measured one after the other), and the cut `new_price` makes from the reference: the
    cuts of several requests add up, so none of them slips under the threshold alone."""
    premise = txcache.locked(ctx.session, Premise, int(premise_id))
    if premise is None:
        raise ActionError("price_not_changeable", f"Помещение {premise_id} не найдено")
    price = _price(new_price)
    return {
        "price": str(premise.price),
        "reference_price": str(premise.cut_reference),
        "reference_source": premise.reference_label,
        "cut_pct": str(premise.cut_pct(price)),
    }
