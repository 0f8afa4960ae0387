"""The reference price a premise's price cuts are measured against (issue 14): the last price
management set or approved. Cuts a manager makes alone add up against it, so a run of small
cuts cannot pass the approval threshold one by one."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

# Where a premise's reference price came from: the price a cut is measured against
# (Premise.cut_pct). Management sets it (by hand, by import, or approving a cut); a cut a
# manager makes alone within the process's threshold never moves it.
REFERENCE_SOURCES = {
    "created": "цена при заведении помещения",
    "manual": "установлена руководством вручную",
    "import": "из прайс-листа",
    "approval": "согласована руководителем",
    "migration": "цена на момент введения базовой цены",
}
SETS_REFERENCE = frozenset({"manual", "import"})


def first_price(context) -> Decimal | None:
    """A new premise's reference price is its first price."""
    price = context.get_current_parameters().get("price")
    return None if price is None else Decimal(str(price))


def price_cut_pct(reference: Decimal, new_price: Decimal) -> Decimal:
    """How far `new_price` is below `reference`, in per cent of it (0.01 %, rounded up, so a
    cut a hair over the threshold is never shown as the threshold); negative for a price above
    it, 0 with no reference."""
    reference = Decimal(str(reference))
    if not reference:
        return Decimal("0.00")
    cut = (reference - Decimal(str(new_price))) * 100 / reference
    return cut.quantize(Decimal("0.01"), rounding=ROUND_CEILING)
