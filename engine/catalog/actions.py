"""Actions of the shipped processes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from engine.core.actions import ActionContext, ActionError, action
from models.catalog.objects import STATUS_LABELS, Premise, PremiseStatus
from models.db.errors import DomainError

PRICE_FIXED_STATUSES = frozenset(
    {PremiseStatus.paid_reservation, PremiseStatus.in_deal, PremiseStatus.sold}
)


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
    if premise.status in PRICE_FIXED_STATUSES:
        raise ActionError(
            "price_not_changeable",
            f"Цена помещения № {premise.number} зафиксирована: оно в статусе "
            f"«{STATUS_LABELS[premise.status]}»",
        )
    try:
        price = Decimal(str(new_price))
    except InvalidOperation as error:
        raise ActionError("price_not_changeable", f"Цена «{new_price}» — не число") from error
    try:
        premise.change_price(price, by_user_id=user_id, source="process")
    except DomainError as error:
        raise ActionError("price_not_changeable", error.message) from error
    ctx.flush()
    return {"premise_id": premise.id, "price": str(premise.price)}
