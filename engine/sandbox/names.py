"""The names an expression or script can use: safe builtins, dates, money and a little math.

Every value here is reachable by analysts, so each was chosen for having no attribute that
leads out of the sandbox (attributes starting with "_" and a few others are refused anyway).
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType, SimpleNamespace
from typing import Any

from engine.sandbox.base import DEFAULT_LIMITS, SandboxError, SandboxLimitError
from models.db.clock import utcnow

MSK = timezone(timedelta(hours=3), "MSK")  # Europe/Moscow, UTC+3 all year since 2014

_RANGE_LIMIT = DEFAULT_LIMITS.max_sequence
_MAX_ROUND_DIGITS = 100
_MAX_INT_DIGITS = 3000
_MAX_MONEY_TEXT = 100
_SAFE_TYPES = (bool, int, float, str, list, dict, set, tuple, Decimal, date, datetime, timedelta)
_DURATION = re.compile(
    r"P(?:(?P<years>\d+)Y)?(?:(?P<months>\d+)M)?(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?"
)
_RUSSIAN_DATE = re.compile(r"(\d{2})\.(\d{2})\.(\d{4})")


def safe_range(*args: int) -> range:
    """``range`` limited to a million elements."""
    result = range(*args)
    try:
        length = len(result)
    except OverflowError:
        length = _RANGE_LIMIT + 1
    if length > _RANGE_LIMIT:
        raise SandboxLimitError(f"Слишком длинный range: больше {_RANGE_LIMIT} элементов")
    return result


def safe_sum(values: Iterable[Any], start: Any = 0) -> Any:
    """``sum`` of numbers or durations; sums of lists or strings are refused."""
    if not isinstance(start, (int, float, Decimal, timedelta)):
        raise SandboxError("sum() складывает только числа и интервалы времени")
    return sum(values, start)


def safe_round(number: Any, ndigits: int | None = None) -> Any:
    """``round`` with a bounded number of digits."""
    if ndigits is not None and (not isinstance(ndigits, int) or abs(ndigits) > _MAX_ROUND_DIGITS):
        raise SandboxError(f"round(): число знаков должно быть от -100 до {_MAX_ROUND_DIGITS}")
    huge = (
        isinstance(number, Decimal) and number.is_finite() and number.adjusted() > _MAX_INT_DIGITS
    )
    if ndigits is None and huge:
        raise SandboxLimitError("Слишком большое число для преобразования в целое")
    return round(number, ndigits)


def safe_isinstance(value: Any, kinds: Any) -> bool:
    """``isinstance`` against the safe types only."""
    checked = kinds if isinstance(kinds, tuple) else (kinds,)
    if not all(any(kind is safe for safe in _SAFE_TYPES) for kind in checked):
        raise SandboxError("isinstance() принимает только типы bool, int, float, str, list, "
                           "dict, set, tuple, Decimal, date, datetime, timedelta")  # fmt: skip
    return isinstance(value, kinds)


def now() -> datetime:
    """The current moment, aware, in UTC."""
    return utcnow()


def today() -> date:
    """Today's date in Moscow time (the business day)."""
    return utcnow().astimezone(MSK).date()


def parse_datetime(text: str) -> datetime:
    """An ISO 8601 date-time; a value without an offset is taken as UTC."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def parse_date(text: str) -> date:
    """A date as ``2024-05-31`` or the Russian ``31.05.2024``."""
    russian = _RUSSIAN_DATE.fullmatch(text.strip())
    if russian:
        day, month, year = (int(part) for part in russian.groups())
        return date(year, month, day)
    return date.fromisoformat(text.strip())


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration (``P3D``, ``PT2H30M``, ``P1W``); years and months are refused."""
    match = _DURATION.fullmatch(text.strip().upper())
    if match is None or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"Неверная длительность ISO 8601: «{text}»")
    parts = {name: value for name, value in match.groupdict().items() if value is not None}
    if "years" in parts or "months" in parts:
        raise ValueError("Годы и месяцы не переводятся в интервал: используйте add_months()")
    amounts = {name: float(value.replace(",", ".")) for name, value in parts.items()}
    return timedelta(**amounts)


def iso_duration(interval: timedelta) -> str:
    """A non-negative interval as an ISO 8601 duration, e.g. ``P3DT4H``."""
    if interval < timedelta(0):
        raise ValueError("Отрицательный интервал нельзя записать как длительность ISO 8601")
    hours, rest = divmod(interval.seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    fraction = f".{interval.microseconds:06d}".rstrip("0") if interval.microseconds else ""
    seconds_text = f"{seconds}{fraction}" if seconds or fraction else 0
    time_part = "".join(
        f"{value}{unit}"
        for value, unit in ((hours, "H"), (minutes, "M"), (seconds_text, "S"))
        if value not in (0, "0")
    )
    day_part = f"{interval.days}D" if interval.days else ""
    if not day_part and not time_part:
        return "PT0S"
    return f"P{day_part}" + (f"T{time_part}" if time_part else "")


def add_months(moment: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of the month."""
    if not isinstance(months, int) or abs(months) > 12 * 1000:
        raise ValueError("add_months(): число месяцев должно быть целым, не больше 12000")
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def money(value: Any) -> Decimal:
    """An amount in roubles rounded half up to kopecks: ``money("12.345") == Decimal("12.35")``."""
    if not isinstance(value, (str, int, float, Decimal)):
        raise SandboxError("money() принимает строку или число")
    text = repr(value) if isinstance(value, float) else str(value)
    if len(text) > _MAX_MONEY_TEXT:
        raise SandboxError("Слишком длинная запись суммы")
    return Decimal(text.replace(" ", "").replace(",", ".")).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


MATH = SimpleNamespace(
    pi=math.pi, e=math.e, inf=math.inf, floor=math.floor, ceil=math.ceil, trunc=math.trunc,
    sqrt=math.sqrt, fabs=math.fabs, exp=math.exp, log=math.log, log10=math.log10,
    isclose=math.isclose, isfinite=math.isfinite, isnan=math.isnan, fsum=math.fsum,
)  # fmt: skip

BUILTIN_NAMES: Mapping[str, Any] = MappingProxyType(
    {
        "len": len, "min": min, "max": max, "sum": safe_sum, "abs": abs, "round": safe_round,
        "sorted": sorted, "reversed": reversed, "divmod": divmod, "str": str, "int": int,
        "float": float, "bool": bool, "list": list, "dict": dict, "set": set, "tuple": tuple,
        "range": safe_range, "enumerate": enumerate, "zip": zip, "any": any, "all": all,
        "isinstance": safe_isinstance,
    }
)  # fmt: skip

HELPER_NAMES: Mapping[str, Any] = MappingProxyType(
    {
        "date": date, "datetime": datetime, "timedelta": timedelta, "timezone": timezone,
        "UTC": UTC, "MSK": MSK, "now": now, "today": today, "parse_datetime": parse_datetime,
        "parse_date": parse_date, "parse_duration": parse_duration,
        "iso_duration": iso_duration, "add_months": add_months, "Decimal": Decimal,
        "ROUND_HALF_UP": ROUND_HALF_UP, "money": money, "math": MATH,
    }
)  # fmt: skip

SAFE_NAMES: Mapping[str, Any] = MappingProxyType({**BUILTIN_NAMES, **HELPER_NAMES})
