"""Money, areas, dates and times shown the Russian way (DOMAIN.md)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from models.clients.client import format_phone

NBSP = "\u00a0"
DEFAULT_TZ = "Europe/Moscow"


def group_digits(value: Decimal | int | float, places: int) -> str:
    text = f"{Decimal(value):,.{places}f}"
    return text.replace(",", NBSP).replace(".", ",")


def money(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "—"
    return f"{group_digits(value, places)}{NBSP}₽"


def money_short(value: Decimal | None) -> str:
    """Compact price for a chessboard cell: 12,35 млн."""
    if value is None:
        return "—"
    millions = Decimal(value) / Decimal(1_000_000)
    if millions >= 1:
        return f"{group_digits(millions, 2)}{NBSP}млн"
    return f"{group_digits(Decimal(value) / 1000, 0)}{NBSP}тыс"


def area(value: Decimal | None) -> str:
    if value is None:
        return "—"
    return f"{group_digits(value, 2)}{NBSP}м²"


def ru_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def ru_datetime(value: datetime | None, tz: str = DEFAULT_TZ) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M")


def decimal_money(text: str | None) -> str:
    if not text or text == "None":
        return "—"
    return money(Decimal(text))


def status_label(value: str | None) -> str:
    from models.catalog.objects import STATUS_LABELS, PremiseStatus

    if not value:
        return "—"
    try:
        return STATUS_LABELS[PremiseStatus(value)]
    except ValueError:
        return value


def when_or_value(value, tz: str = DEFAULT_TZ) -> str:
    """An ISO timestamp from a history record shown as a local date and time; else as is."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            return ru_datetime(datetime.fromisoformat(value), tz)
        except ValueError:
            return value
    return str(value)


def readable_json(value) -> str:
    """Data shown to a person (the process's data): Cyrillic as letters, not \\u escapes."""
    return json.dumps(value, ensure_ascii=False, indent=2, default=str, sort_keys=True)


def register(app) -> None:
    app.jinja_env.filters.update(
        money=money,
        money_short=money_short,
        area=area,
        ru_date=ru_date,
        ru_datetime=ru_datetime,
        digits=lambda v, p=0: group_digits(v, p),
        decimal_money=decimal_money,
        when_or_value=when_or_value,
        phone=lambda v: format_phone(v) if v else "—",
        status_label=status_label,
        readable_json=readable_json,
    )
