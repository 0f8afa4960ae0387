"""Numbers as Russian users type them, in a form or a price list's cell: `12 345,50`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation


def parse_decimal(text: str | None) -> Decimal | None:
    """`12 345,50` → Decimal('12345.50'); '' → None; raises ValueError on garbage."""
    if text is None:
        return None
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    cleaned = cleaned.removesuffix("₽").removesuffix("м²")
    if cleaned == "":
        return None
    try:
        value = Decimal(cleaned)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def money_text(amount: Decimal) -> str:
    """Decimal('12345.5') → «12 345,50» (no-break spaces between thousands), as people read sums."""
    return f"{amount:,.2f}".replace(",", "\u00a0").replace(".", ",")
