"""Price-list import: a dry run that lists every problem, then an all-or-nothing apply.

A row is matched to an existing premise by building name (case does not matter) and number,
so importing the same file twice updates and never duplicates. A building name the project
does not have yet creates that building, as high as the highest floor the file gives it (and
as deep as its lowest underground floor); its address is left for the user to fill in.
Premises missing from the file are left alone: import never deletes.

An empty cell of an optional column keeps the premise's value (a new premise gets the
default), except living and kitchen area, where an empty cell means "no value".
A fixed price (Premise.can_change_price) is refused at its cell, like any other problem.
Statuses: import may only move a premise between «Свободно» and «Не в продаже», and only
where Premise.can_change_status allows it; reservations and deals belong to their processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, noload, selectinload

from engine.catalog.price_list import BY_KEY, COLUMNS, DEFAULTS, IMPORTED, NULLABLE, Problem
from engine.catalog.price_list_files import ParsedRow, parse_table
from models.catalog.kinds import MANUAL_STATUSES
from models.catalog.objects import (
    STATUS_LABELS,
    Building,
    Floor,
    Premise,
    PremiseStatus,
    PriceIsFixed,
    Project,
    Section,
)
from models.db.errors import InvalidPremiseData
from models.settings.store import get_setting

IMPORT_MAX_ROWS = "catalog.import_max_rows"
FIELDS = tuple(c.key for c in IMPORTED if c.key not in ("building", "number"))
PLAIN_FIELDS = tuple(k for k in FIELDS if k not in ("section", "floor", "price", "status"))


@dataclass
class NewBuilding:
    name: str
    floors: set[int] = field(default_factory=set)

    @property
    def floors_above(self) -> int:
        return max([1, *self.floors])

    @property
    def floors_below(self) -> int:
        return max([0, *(-f for f in self.floors)])


@dataclass
class PlannedRow:
    row: int
    building_key: str
    number: str
    values: dict  # every field of FIELDS, after merging with the existing premise
    building: Building | None  # None: a building this import creates
    premise: Premise | None  # None: a premise this import creates
    action: str  # create | update | unchanged


@dataclass
class ImportPlan:
    project: Project
    problems: list[Problem] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)
    new_buildings: dict[str, NewBuilding] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # sheets passed over, and why

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    def problem(self, row: int | None, column: str, message: str, sheet: str = "") -> None:
        self.problems.append(Problem(row, column, message, sheet))

    def apply(self, session: Session, *, by_user_id: int | None) -> None:
        """Write the plan; only flushes, the caller commits. Refuses a plan with problems."""
        if not self.ok:
            raise InvalidPremiseData("В файле есть ошибки: импорт невозможен")
        with session.no_autoflush:
            created = {}
            for key, spec in self.new_buildings.items():
                created[key] = Building(
                    project=self.project,
                    name=spec.name,
                    floors_above=spec.floors_above,
                    floors_below=spec.floors_below,
                )
                session.add(created[key])
            for row in self.rows:
                if row.action == "unchanged":
                    continue
                building = row.building or created[row.building_key]
                premise = row.premise
                if premise is None:
                    premise = Premise(
                        building=building, number=row.number, status=row.values["status"]
                    )
                    session.add(premise)
                _write(premise, building, row.values, by_user_id)
        session.flush()


def check(
    session: Session, project: Project, data: bytes, filename: str, *, lock: bool = False
) -> ImportPlan:
    """The dry run: parse and validate the whole file against the project; writes nothing.

    With lock=True (right before apply) the project's premises are locked until the commit,
    so a reservation cannot change one between this check and the write.
    """
    plan = ImportPlan(project)
    max_rows = get_setting(session, IMPORT_MAX_ROWS)
    parsed = parse_table(data, filename, plan.problems, max_rows=max_rows, skipped=plan.skipped)
    if parsed:
        _plan_rows(session, project, parsed, plan, lock)
        order = {column.header: index for index, column in enumerate(COLUMNS)}
        found = [*(r.sheet for r in parsed), *(p.sheet for p in plan.problems)]
        sheets = {sheet: index for index, sheet in enumerate(dict.fromkeys(found))}
        plan.problems.sort(
            key=lambda p: (sheets.get(p.sheet, -1), p.row or 0, order.get(p.column, -1))
        )
    return plan


def _key(name: str) -> str:
    """Building names match whatever their case and spacing."""
    return " ".join(name.split()).casefold().replace("ё", "е")


def _plan_rows(
    session: Session, project: Project, parsed: list[ParsedRow], plan: ImportPlan, lock: bool
):
    buildings = {
        _key(b.name): b
        for b in session.scalars(
            select(Building)
            .where(Building.project_id == project.id)
            .options(selectinload(Building.sections).selectinload(Section.floors))
        )
    }
    query = (
        select(Premise)
        .join(Building, Building.id == Premise.building_id)
        .where(Building.project_id == project.id)
        .options(joinedload(Premise.floor).joinedload(Floor.section), noload(Premise.changes))
    )
    if lock:
        query = query.with_for_update(of=Premise)
    premises = {(_key(p.building.name), p.number): p for p in session.scalars(query)}
    seen: dict[tuple[str, str], ParsedRow] = {}
    for row in parsed:
        name, number = row.values.get("building"), row.values.get("number")
        key = (_key(name), number) if name and number else None
        if key in seen:
            first = seen[key]
            where = f"в строке {first.row}"
            if first.sheet != row.sheet:
                where = f"на листе «{first.sheet}» {where}"
            plan.problem(
                row.row,
                BY_KEY["number"].header,
                f"Помещение № {number} корпуса «{name}» уже есть {where}",
                row.sheet,
            )
            row.bad_keys.add("number")
        elif key:
            seen[key] = row
        building = buildings.get(key[0]) if key else None
        _plan_row(row, building, premises.get(key) if key else None, plan)


def _plan_row(row: ParsedRow, building: Building | None, premise: Premise | None, plan: ImportPlan):
    """Check the rules that need the database; plan the row when all of it is clean."""
    name, floor, bad = row.values.get("building"), row.values.get("floor"), row.bad_keys
    if building is None and name and floor is not None:
        plan.new_buildings.setdefault(_key(name), NewBuilding(name)).floors.add(floor)
    elif building is not None and floor is not None and not building.floor_in_range(floor):
        lowest = -building.floors_below or 1
        plan.problem(
            row.row,
            BY_KEY["floor"].header,
            f"Этаж {floor} вне здания: в корпусе «{building.name}» этажи "
            f"от {lowest} до {building.floors_above}",
            row.sheet,
        )
        bad.add("floor")
    values = _merge(row.values, premise)
    for key, message in _rule_problems(values, premise, bad):
        plan.problem(row.row, BY_KEY[key].header, message, row.sheet)
        bad.add(key)
    if bad:
        return
    if premise is None:
        action = "create"
    else:
        same = all(_current(premise, key) == value for key, value in values.items())
        action = "unchanged" if same else "update"
    plan.rows.append(
        PlannedRow(row.row, _key(name), row.values["number"], values, building, premise, action)
    )


def _merge(given: dict, premise: Premise | None) -> dict:
    values = {}
    for key in FIELDS:
        if key in given and (given[key] is not None or key in NULLABLE):
            values[key] = given[key]
        elif premise is not None:
            values[key] = _current(premise, key)
        else:
            values[key] = DEFAULTS.get(key)
    return values


def _current(premise: Premise, key: str):
    if key == "section":
        return premise.floor.section.number
    if key == "floor":
        return premise.floor.number
    return getattr(premise, key)


def _rule_problems(values: dict, premise: Premise | None, bad: set[str]) -> list[tuple[str, str]]:
    """Rules across cells; a rule is skipped when one of its cells was already reported."""
    problems = []
    total = values["total_area"]
    for key, label in (("living_area", "Жилая площадь"), ("kitchen_area", "Площадь кухни")):
        if bad & {key, "total_area"} or values[key] is None or total is None:
            continue
        if values[key] > total:
            problems.append((key, f"{label} не может быть больше общей"))
    if not bad & {"is_studio", "rooms"} and values["is_studio"] and values["rooms"] > 1:
        problems.append(("rooms", "Студия не может иметь больше одной комнаты"))
    if "price" not in bad and _fixed_price_changed(values["price"], premise):
        problems.append(("price", PriceIsFixed(premise).message))
    status_problem = None if "status" in bad else _status_problem(values["status"], premise)
    if status_problem:
        problems.append(("status", status_problem))
    return problems


def _fixed_price_changed(price, premise: Premise | None) -> bool:
    """A row may repeat a fixed price (an exported file imports back), never change it."""
    return premise is not None and price != premise.price and not premise.can_change_price()


def _status_problem(status: PremiseStatus, premise: Premise | None) -> str | None:
    manual = " или ".join(f"«{STATUS_LABELS[s]}»" for s in sorted(MANUAL_STATUSES))
    if premise is None:
        if status not in MANUAL_STATUSES:
            return f"Новое помещение можно завести только в статусе {manual}"
        return None
    if status == premise.status:
        return None
    old, new = STATUS_LABELS[premise.status], STATUS_LABELS[status]
    if not premise.can_change_status(status):
        return f"Нельзя перевести помещение из статуса «{old}» в «{new}»"
    if premise.status not in MANUAL_STATUSES or status not in MANUAL_STATUSES:
        return (
            f"Статус «{old}» → «{new}» импорт не меняет: "
            "бронь и сделки оформляются в своих процессах"
        )
    return None


def _write(premise: Premise, building: Building, values: dict, by_user_id: int | None):
    floor = premise.floor
    if floor is None or (floor.section.number, floor.number) != (
        values["section"],
        values["floor"],
    ):
        premise.floor = building.ensure_section(values["section"]).ensure_floor(values["floor"])
    for key in PLAIN_FIELDS:
        if getattr(premise, key) != values[key]:
            setattr(premise, key, values[key])
    premise.change_price(values["price"], by_user_id=by_user_id, source="import")
    premise.change_status(values["status"], by_user_id=by_user_id, source="import")
