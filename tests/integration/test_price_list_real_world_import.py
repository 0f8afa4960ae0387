"""Price lists from the real world, checked and applied against a real database: a workbook
with one sheet per building, the row limit as a business setting, refusals that write nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import func, select

from engine.catalog.price_list_import import check
from models.catalog.objects import Building, Premise, PremiseChange
from models.settings.store import set_setting
from tests.unit.test_price_list_real_world import bomb_xlsx, workbook

HEADER = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена"]


def flat(number, building="Корпус 1", floor=1) -> list:
    return [building, 1, floor, number, 40, 5_000_000]


def counts(session) -> tuple[int, int, int]:
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Building, Premise, PremiseChange)
    )


@pytest.fixture
def building(make_building, make_premise):
    building = make_building(name="Корпус 1", floors_above=9, sections=1)
    make_premise(building, number="1", floor=1, price="5000000.00")
    return building


def test_a_workbook_with_one_sheet_per_building_imports_every_sheet(db_session, building):
    data = workbook(
        ("Обложка", [["ЖК «Северный»: прайс-лист"]]),
        ("Корпус 1", [HEADER, flat("1"), flat("2", floor=2)]),
        ("Корпус 2", [HEADER, flat("1", "Корпус 2"), flat("2", "Корпус 2", floor=3)]),
    )

    plan = check(db_session, building.project, data, "прайс.xlsx")
    plan.apply(db_session, by_user_id=None)

    assert plan.problems == [] and (plan.created, len(plan.rows)) == (3, 4)
    assert plan.skipped == [
        "Лист «Обложка» пропущен: в его первых 10 заполненных строках нет заголовков столбцов."
    ]
    stored = db_session.execute(
        select(Building.name, Premise.number).join(Premise.building).order_by(Building.name)
    ).all()
    assert sorted(stored) == [
        ("Корпус 1", "1"),
        ("Корпус 1", "2"),
        ("Корпус 2", "1"),
        ("Корпус 2", "2"),
    ]


def test_a_premise_on_two_sheets_is_reported_with_the_sheet_it_was_first_on(db_session, building):
    before = counts(db_session)
    data = workbook(
        ("Январь", [HEADER, flat("7")]),
        ("Февраль", [HEADER, flat("8"), flat("7")]),
    )

    plan = check(db_session, building.project, data, "прайс.xlsx")

    assert [(p.sheet, p.row, p.column, p.message) for p in plan.problems] == [
        (
            "Февраль",
            3,
            "Номер",
            "Помещение № 7 корпуса «Корпус 1» уже есть на листе «Январь» в строке 2",
        )
    ]
    assert not plan.ok and counts(db_session) == before


def test_a_premise_number_turned_into_a_date_writes_nothing(db_session, building):
    before = counts(db_session)
    data = workbook(("Прайс", [HEADER, flat("5"), flat(datetime(2026, 1, 12))]))

    plan = check(db_session, building.project, data, "прайс.xlsx")

    assert [(p.row, p.column) for p in plan.problems] == [(3, "Номер")]
    assert "Excel превратил значение в дату или время (12.01.2026)" in plan.problems[0].message
    assert not plan.ok and counts(db_session) == before
    numbers = db_session.scalars(select(Premise.number)).all()
    assert "2026-01-12 00:00:00" not in numbers


def test_the_row_limit_is_the_business_setting(db_session, building):
    set_setting(db_session, "catalog.import_max_rows", "2")
    data = workbook(("Прайс", [HEADER, flat("5"), flat("6"), flat("7")]))

    plan = check(db_session, building.project, data, "прайс.xlsx")

    assert [(p.row, p.message) for p in plan.problems] == [
        (4, "В файле больше 2 строк: разделите его на части")
    ]
    assert plan.rows == []


def test_a_zip_bomb_is_refused_and_nothing_is_written(db_session, building):
    before = counts(db_session)
    cells = b"<c><v>1</v></c>" * 70_000
    data = bomb_xlsx(b'<row r="3">' if n == 0 else cells for n in range(101))

    plan = check(db_session, building.project, data, "прайс.xlsx")

    assert len(plan.problems) == 1 and plan.problems[0].row is None
    assert plan.problems[0].message.startswith("Книга XLSX слишком велика")
    assert not plan.ok and counts(db_session) == before
