"""Values of business settings: their types, parsing and validation (Russian messages), and
how they read to people (ISO-8601 durations with Russian plurals, roubles). No database here."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from models.db.errors import DomainError
from models.db.numbers import money_text

NBSP = "\u00a0"
MAX_DURATION = timedelta(days=3650)


class SettingType(enum.StrEnum):
    duration = "duration"
    integer = "integer"
    money = "money"
    boolean = "boolean"
    text = "text"


@dataclass(frozen=True)
class SettingDefinition:
    key: str
    type: SettingType
    default: str
    label: str
    description: str
    per_project: bool = False  # may a project override the global value?
    minimum: int | None = None  # integers only
    # Security settings (the login lock, how long a login is remembered) are the
    # administrator's alone; the head of sales sees them but does not change them.
    admin_only: bool = False

    def can_be_changed_by(self, role: str | None) -> bool:
        """`role` None: the command line, run by whoever runs the server."""
        return not self.admin_only or role is None or role == "admin"


class SettingError(DomainError):
    field_name = "value"

    def __init__(self, message: str):
        super().__init__(message, field=self.field_name)


class UnknownSetting(SettingError):
    field_name = "key"


class InvalidSettingValue(SettingError):
    field_name = "value"


class SettingIsGlobalOnly(SettingError):
    field_name = "project"


class UnknownProject(SettingError):
    field_name = "project"


class SettingAdminOnly(SettingError):
    code = "forbidden"
    status = 403


# ---------------------------------------------------------------- durations

_DURATION = re.compile(
    r"P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?"
)
_YEARS_MONTHS = re.compile(r"P(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T.*)?")
_UNITS = {
    "weeks": ("неделя", "недели", "недель"),
    "days": ("день", "дня", "дней"),
    "hours": ("час", "часа", "часов"),
    "minutes": ("минута", "минуты", "минут"),
    "seconds": ("секунда", "секунды", "секунд"),
}
DURATION_HINT = "например P3D (3 дня), PT12H (12 часов), P1DT2H или P2W (2 недели)"


def plural(n: int, one: str, few: str, many: str) -> str:
    """Russian plural form: 1 день, 2 дня, 5 дней, 11 дней, 21 день."""
    n = abs(n)
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def duration_parts(raw: str) -> dict[str, int]:
    """ISO-8601 duration → its non-zero parts, e.g. `P1DT2H` → {days: 1, hours: 2}."""
    value = raw.strip().upper()
    if value.startswith("-"):
        raise InvalidSettingValue("Срок не может быть отрицательным")
    if _YEARS_MONTHS.fullmatch(value) and re.search("[YM]", value.split("T")[0]):
        raise InvalidSettingValue("Годы и месяцы не поддерживаются: укажите дни или недели")
    match = _DURATION.fullmatch(value)
    if match is None or value == "P":
        raise InvalidSettingValue(f"Срок указывается в формате ISO 8601, {DURATION_HINT}")
    parts = {unit: int(n) for unit, n in match.groupdict().items() if n and int(n)}
    if not parts:
        raise InvalidSettingValue("Срок должен быть больше нуля")
    try:
        too_long = timedelta(**parts) > MAX_DURATION
    except OverflowError:
        too_long = True
    if too_long:
        raise InvalidSettingValue("Срок не может быть больше 10 лет")
    return parts


def parse_duration(raw: str) -> timedelta:
    return timedelta(**duration_parts(raw))


def humanise_duration(raw: str) -> str:
    """`P1DT2H` → «1 день 2 часа»; `PT12H` → «12 часов»."""
    parts = duration_parts(raw)
    return " ".join(f"{parts[unit]} {plural(parts[unit], *_UNITS[unit])}" for unit in parts)


# ---------------------------------------------------------------- values


def parse_value(definition: SettingDefinition, raw: Any) -> tuple[Any, str]:
    """Raw text (form, CLI, database) → (typed value, canonical text to store)."""
    value = "" if raw is None else str(raw).strip()
    if value == "":
        raise InvalidSettingValue("Укажите значение")
    return _PARSERS[definition.type](definition, value)


def _duration(definition: SettingDefinition, value: str) -> tuple[timedelta, str]:
    return parse_duration(value), value.upper()


def _integer(definition: SettingDefinition, value: str) -> tuple[int, str]:
    if not re.fullmatch(r"[+-]?\d+", value):
        raise InvalidSettingValue("Введите целое число, например 2")
    if len(value.lstrip("+-")) > 9:
        raise InvalidSettingValue("Слишком большое число")
    number = int(value)
    if definition.minimum is not None and number < definition.minimum:
        raise InvalidSettingValue(f"Значение должно быть не меньше {definition.minimum}")
    return number, str(number)


def _money(definition: SettingDefinition, value: str) -> tuple[Decimal, str]:
    cleaned = value.replace(NBSP, "").replace(" ", "").replace(",", ".").removesuffix("₽")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise InvalidSettingValue("Введите сумму в рублях, например 50 000,00")
    if amount < 0:
        raise InvalidSettingValue("Сумма не может быть отрицательной")
    if amount.as_tuple().exponent < -2:
        raise InvalidSettingValue("Не больше двух знаков после запятой (копейки)")
    if amount >= Decimal("1e12"):
        raise InvalidSettingValue("Слишком большая сумма")
    amount = amount.quantize(Decimal("0.01"))
    return amount, str(amount)


_TRUE = {"да", "true", "1", "yes", "on", "вкл"}
_FALSE = {"нет", "false", "0", "no", "off", "выкл"}


def _boolean(definition: SettingDefinition, value: str) -> tuple[bool, str]:
    if value.lower() not in _TRUE | _FALSE:
        raise InvalidSettingValue("Введите «да» или «нет»")
    flag = value.lower() in _TRUE
    return flag, "true" if flag else "false"


def _text(definition: SettingDefinition, value: str) -> tuple[str, str]:
    if len(value) > 1000:
        raise InvalidSettingValue("Не длиннее 1000 символов")
    return value, value


_PARSERS = {
    SettingType.duration: _duration,
    SettingType.integer: _integer,
    SettingType.money: _money,
    SettingType.boolean: _boolean,
    SettingType.text: _text,
}


def display_value(definition: SettingDefinition, stored: str) -> str:
    """A stored value for people: «P3D — 3 дня», «50 000,00 ₽», «да»."""
    typed, canonical = parse_value(definition, stored)
    if definition.type is SettingType.duration:
        return f"{canonical} — {humanise_duration(canonical)}"
    if definition.type is SettingType.money:
        return money_text(typed) + f"{NBSP}₽"
    if definition.type is SettingType.boolean:
        return "да" if typed else "нет"
    return canonical
