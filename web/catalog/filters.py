"""One premise filter for the chessboard, the premise list and the price-list export.

Parsed from query arguments; bad values are reported, never raised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, or_
from werkzeug.datastructures import MultiDict

from models.catalog.objects import Premise, PremiseKind, PremiseStatus
from models.db.bounds import MONEY_LIMIT
from models.db.numbers import parse_decimal

ROOM_CHOICES = [("0", "Студия"), ("1", "1"), ("2", "2"), ("3", "3"), ("4", "4+")]


@dataclass
class PremiseFilter:
    statuses: set[PremiseStatus] = field(default_factory=set)
    kinds: set[PremiseKind] = field(default_factory=set)
    rooms: set[int] = field(default_factory=set)  # 0 = studio, 4 = four and more
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    area_min: Decimal | None = None
    area_max: Decimal | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: MultiDict) -> PremiseFilter:
        result = cls()
        result.statuses = _enum_set(args.getlist("status"), PremiseStatus, result, "status")
        result.kinds = _enum_set(args.getlist("kind"), PremiseKind, result, "kind")
        for value in args.getlist("rooms"):
            if value == "":
                continue
            if value in {"0", "1", "2", "3", "4"}:
                result.rooms.add(int(value))
            else:
                result.errors["rooms"] = "Неизвестное число комнат"
        for name in ("price_min", "price_max", "area_min", "area_max"):
            try:
                value = parse_decimal(args.get(name))
            except ValueError:
                result.errors[name] = "Введите число"
                continue
            if value is not None and value < 0:
                result.errors[name] = "Не может быть отрицательным"
                continue
            if value is not None and value >= MONEY_LIMIT:  # beyond any price or area stored
                result.errors[name] = "Слишком большое число"
                continue
            setattr(result, name, value)
        return result

    @property
    def active(self) -> bool:
        return bool(
            self.statuses
            or self.kinds
            or self.rooms
            or any(
                v is not None
                for v in (self.price_min, self.price_max, self.area_min, self.area_max)
            )
        )

    def matches(self, status, kind, rooms: int, is_studio: bool, price, area) -> bool:
        if self.statuses and status not in self.statuses:
            return False
        if self.kinds and kind not in self.kinds:
            return False
        if self.rooms and _room_bucket(rooms, is_studio) not in self.rooms:
            return False
        if self.price_min is not None and price < self.price_min:
            return False
        if self.price_max is not None and price > self.price_max:
            return False
        if self.area_min is not None and area < self.area_min:
            return False
        return not (self.area_max is not None and area > self.area_max)

    def where(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.statuses:
            clauses.append(Premise.status.in_(self.statuses))
        if self.kinds:
            clauses.append(Premise.kind.in_(self.kinds))
        if self.rooms:
            clauses.append(or_(*(_rooms_clause(bucket) for bucket in self.rooms)))
        if self.price_min is not None:
            clauses.append(Premise.price >= self.price_min)
        if self.price_max is not None:
            clauses.append(Premise.price <= self.price_max)
        if self.area_min is not None:
            clauses.append(Premise.total_area >= self.area_min)
        if self.area_max is not None:
            clauses.append(Premise.total_area <= self.area_max)
        return clauses


def _room_bucket(rooms: int, is_studio: bool) -> int | None:
    """0 = studio, 1–3 rooms, 4 = four and more; None for premises without rooms."""
    if is_studio:
        return 0
    if rooms <= 0:
        return None
    return min(rooms, 4)


def _rooms_clause(bucket: int) -> ColumnElement[bool]:
    if bucket == 0:
        return Premise.is_studio.is_(True)
    if bucket == 4:
        return and_(Premise.is_studio.is_(False), Premise.rooms >= 4)
    return and_(Premise.is_studio.is_(False), Premise.rooms == bucket)


def _enum_set(values, enum_cls, result: PremiseFilter, name: str) -> set:
    chosen = set()
    for value in values:
        if value == "":  # the «Все» (all) choice of a select
            continue
        try:
            chosen.add(enum_cls(value))
        except ValueError:
            result.errors[name] = "Неизвестное значение фильтра"
    return chosen
