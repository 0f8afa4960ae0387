"""The price list (прайс-лист): one set of columns for export and import.

A file exported from here imports back as a no-op. Cells are turned into values (and values
into cells) by the column's kind; a bad cell raises CellError with a Russian message.
No Flask here: the caller passes the session and the filter clauses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.catalog.kinds import FINISHING_LABELS, KIND_LABELS
from models.catalog.objects import (
    STATUS_LABELS,
    Building,
    Finishing,
    Floor,
    Premise,
    PremiseKind,
    PremiseStatus,
    Section,
)
from models.db.numbers import parse_decimal

CENT = Decimal("0.01")
MAX_AREA = Decimal("100000")
MAX_PRICE = Decimal(10**11)
HUGE = Decimal(10**15)  # beyond any price or area: refused before any arithmetic
HEADER_SEARCH = 10  # non-empty rows looked at to find the header
YES, NO = "да", "нет"
TRUE_WORDS = frozenset({"да", "д", "yes", "y", "true", "1", "+"})
FALSE_WORDS = frozenset({"нет", "н", "no", "n", "false", "0", "-"})


@dataclass(frozen=True)
class Problem:
    row: int | None  # as the spreadsheet numbers it; None for the whole file
    column: str  # header of the column, "" for the whole row or file
    message: str
    sheet: str = ""  # the workbook's sheet, named only when the workbook has several


class CellError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class FileProblem(ValueError):
    """The whole file is refused: one Russian message, nothing of it is read."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    key: str  # the Premise attribute (or building / section / floor)
    header: str  # as written in the file
    kind: str  # text | int | area | money | bool | enum
    required: bool = False  # the column must exist and its cells must be filled
    export_only: bool = False  # written on export, ignored on import
    width: int = 12
    labels: dict | None = None  # for enum columns: value → Russian label
    low: int | Decimal | None = None
    high: int | Decimal | None = None
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("building", "Корпус", "text", required=True, width=18, max_length=100),
    Column("section", "Секция", "int", required=True, width=9, low=1, high=50),
    Column("floor", "Этаж", "int", required=True, width=7, low=-10, high=150),
    Column("number", "Номер", "text", required=True, width=9, max_length=20),
    Column("kind", "Тип", "enum", width=24, labels=KIND_LABELS),
    Column("rooms", "Комнат", "int", width=9, low=0, high=20),
    Column("is_studio", "Студия", "bool", width=9),
    Column("is_euro_layout", "Европланировка", "bool", width=16),
    Column("has_terrace", "Терраса", "bool", width=10),
    Column("total_area", "Общая площадь", "area", required=True, width=15, low=CENT),
    Column("living_area", "Жилая площадь", "area", width=15, low=Decimal(0)),
    Column("kitchen_area", "Площадь кухни", "area", width=15, low=Decimal(0)),
    Column("price", "Цена", "money", required=True, width=17, low=Decimal(0)),
    Column("price_per_m2", "Цена за м²", "money", export_only=True, width=15),
    Column("finishing", "Отделка", "enum", width=26, labels=FINISHING_LABELS),
    Column("status", "Статус", "enum", width=15, labels=STATUS_LABELS),
)
BY_KEY = {column.key: column for column in COLUMNS}
IMPORTED = tuple(column for column in COLUMNS if not column.export_only)
REQUIRED = tuple(column for column in IMPORTED if column.required)

# What an empty optional cell means for a new premise; for an existing one it keeps the value.
DEFAULTS = {
    "kind": PremiseKind.apartment,
    "rooms": 0,
    "is_studio": False,
    "is_euro_layout": False,
    "has_terrace": False,
    "finishing": Finishing.none,
    "status": PremiseStatus.available,
}
NULLABLE = frozenset({"living_area", "kitchen_area"})  # an empty cell clears them
# A date as Excel writes it to CSV where a number became one: 12.01.2026, 12.янв, янв.26
RU_MONTHS = "янв|фев|мар|апр|май|июн|июл|авг|сен|окт|ноя|дек"
MONTHS = f"{RU_MONTHS}|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
DATE_TEXT = re.compile(
    rf"\d{{1,2}}\.\d{{1,2}}\.\d{{4}}(?: \d{{1,2}}:\d{{2}}(?::\d{{2}})?)?"
    rf"|\d{{1,2}}[.\-](?:{MONTHS})\.?|(?:{MONTHS})\.?[.\-]\d{{2,4}}"
)


def normalise(text: object) -> str:
    """Label matching: case, ё/е and extra spaces do not matter."""
    return " ".join(str(text).replace("\u00a0", " ").split()).casefold().replace("ё", "е")


def header_key(text: object) -> str | None:
    """The column a header cell names; a unit after a comma is ignored ("Цена, ₽")."""
    return HEADER_KEYS.get(normalise(text).split(",")[0].strip().replace("м2", "м²"))


HEADER_KEYS = {normalise(column.header): column.key for column in COLUMNS}


def is_empty(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def parse_cell(column: Column, raw: object):
    """A cell as the column's value; None for an empty cell; CellError on bad input."""
    if is_empty(raw):
        return None
    parser = _PARSERS[column.kind]
    value = parser(column, raw)
    _check_range(column, value)
    return value


def _parse_text(column: Column, raw: object) -> str:
    if isinstance(raw, datetime | date | time):
        raise CellError(_turned_into_date(raw))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = " ".join(str(raw).split())
    if DATE_TEXT.fullmatch(text.casefold()):
        raise CellError(_turned_into_date(text))
    if column.max_length and len(text) > column.max_length:
        raise CellError(f"Не длиннее {column.max_length} символов")
    return text


def _turned_into_date(raw: date | time | str) -> str:
    """Excel turns "12.01" or "1-2" typed into a General cell into a date; the text is lost."""
    if isinstance(raw, str):
        shown = raw
    elif isinstance(raw, time):
        shown = f"{raw:%H:%M}"
    elif isinstance(raw, datetime) and raw.time() != time():
        shown = f"{raw:%d.%m.%Y %H:%M}"
    else:
        shown = f"{raw:%d.%m.%Y}"
    return (
        f"Excel превратил значение в дату или время ({shown}). Задайте столбцу текстовый "
        "формат (Формат ячеек → Текстовый) и введите значения заново"
    )


def _parse_int(column: Column, raw: object) -> int:
    if isinstance(raw, bool | datetime | date | time):
        raise CellError("Ожидается целое число")
    if isinstance(raw, int):
        return raw
    try:
        value = parse_decimal(str(raw).replace("−", "-"))
    except ValueError:
        raise CellError("Ожидается целое число") from None
    if value is None or abs(value) > HUGE or value != value.to_integral_value():
        raise CellError("Ожидается целое число")
    return int(value)


def _parse_decimal(column: Column, raw: object) -> Decimal:
    if isinstance(raw, bool | datetime | date | time):
        raise CellError("Ожидается число, например 12 345,50")
    try:
        value = parse_decimal(str(raw).replace("−", "-").replace("руб.", "").replace("р.", ""))
    except ValueError:
        raise CellError("Ожидается число, например 12 345,50") from None
    if abs(value) > HUGE:
        raise CellError("Слишком большое число")
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _parse_bool(column: Column, raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    word = normalise(raw)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"Ожидается «{YES}» или «{NO}», а не «{raw}»")


def _parse_enum(column: Column, raw: object) -> Enum:
    wanted = normalise(raw)
    for value, label in column.labels.items():
        if wanted in (normalise(label), value.value):
            return value
    allowed = ", ".join(column.labels.values())
    raise CellError(f"Неизвестное значение «{raw}»; допустимые: {allowed}")


_PARSERS = {
    "text": _parse_text,
    "int": _parse_int,
    "area": _parse_decimal,
    "money": _parse_decimal,
    "bool": _parse_bool,
    "enum": _parse_enum,
}


def _check_range(column: Column, value) -> None:
    if column.key == "floor" and value == 0:
        raise CellError("Этажа 0 нет: надземные этажи нумеруются с 1, подземные — с −1")
    if column.kind == "money":
        if value < 0:
            raise CellError("Цена не может быть отрицательной")
        if value > MAX_PRICE:
            raise CellError("Слишком большая цена")
        return
    if column.kind == "area":
        if value < column.low:
            raise CellError(
                "Площадь должна быть больше нуля"
                if column.required
                else "Площадь не может быть отрицательной"
            )
        if value > MAX_AREA:
            raise CellError("Слишком большая площадь")
        return
    if column.low is not None and not column.low <= value <= column.high:
        raise CellError(f"Допустимо от {column.low} до {column.high}")


# --- export ------------------------------------------------------------------------------


def premise_rows(session: Session, *where) -> list[list]:
    """Rows of the price list (values in COLUMNS order) for the premises matching `where`."""
    result = session.execute(
        select(Premise, Building.name, Section.number, Floor.number)
        .join(Building, Building.id == Premise.building_id)
        .join(Floor, Floor.id == Premise.floor_id)
        .join(Section, Section.id == Floor.section_id)
        .where(*where)
    ).all()
    result.sort(key=lambda r: (r[1], r[2], r[3], natural_key(r[0].number)))
    return [
        row_values(premise, building, section, floor)
        for premise, building, section, floor in result
    ]


def row_values(premise: Premise, building: str, section: int, floor: int) -> list:
    fields = {
        "building": building,
        "section": section,
        "floor": floor,
        "price_per_m2": premise.price_per_m2,
    }
    row = []
    for column in COLUMNS:
        value = fields[column.key] if column.key in fields else getattr(premise, column.key)
        if column.kind == "enum":
            value = column.labels[value]
        elif column.kind == "bool":
            value = YES if value else NO
        row.append(value)
    return row


def natural_key(number: str) -> tuple:
    """'2' before '10', '10А' after '10'."""
    head = number[: len(number) - len(number.lstrip("0123456789"))]
    return (0, int(head), number) if head else (1, 0, number)
