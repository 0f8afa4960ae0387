"""The import's rules that need the project's data: matching rows to premises and buildings,
what an empty cell or a missing column means, the refusals in full, and what apply writes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.catalog.price_list import Problem
from engine.catalog.price_list_import import check
from models.catalog.objects import Building, Finishing, Premise, PremiseKind, PremiseStatus
from models.db.errors import InvalidPremiseData
from tests.integration.test_price_list import row, sheet


@pytest.fixture
def building(make_building, make_premise):
    """«Берёзовый» (floors −1…10) with flat 101 on floor 1 of section 1, with every figure set."""
    building = make_building(name="Берёзовый", floors_above=10, floors_below=1, sections=2)
    make_premise(
        building,
        number="101",
        floor=1,
        section=1,
        total_area="54.30",
        living_area=Decimal("30.10"),
        kitchen_area=Decimal("10.00"),
        price="9800000.00",
        kind=PremiseKind.apartment,
        rooms=2,
        finishing=Finishing.white_box,
        has_terrace=True,
    )
    return building


def flat_101(**given) -> list:
    """Flat 101 of «Берёзовый» exactly as it is stored; `given` changes cells."""
    stored = {
        "building": "Берёзовый",
        "number": "101",
        "section": 1,
        "floor": 1,
        "has_terrace": "да",
        "finishing": "White box (предчистовая)",
    }
    return row(**(stored | given))


def premise(session, number: str) -> Premise:
    return session.scalar(select(Premise).where(Premise.number == number))


def planned(session, building, rows: list[list], header: list[str] | None = None):
    data, name = sheet(rows, "csv", header=header)
    return check(session, building.project, data, name)


def imported(session, building, rows: list[list], *, by_user_id=None, header=None):
    plan = planned(session, building, rows, header)
    assert plan.problems == []
    plan.apply(session, by_user_id=by_user_id)
    session.commit()
    return plan


def problems(session, building, rows: list[list]) -> list[tuple[int | None, str, str]]:
    return [(p.row, p.column, p.message) for p in planned(session, building, rows).problems]


# --- matching ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Берёзовый", "березовый", "  БЕРЁЗОВЫЙ ", "Березовый"])
def test_a_row_finds_its_building_whatever_the_case_spacing_or_yo(db_session, building, name):
    plan = planned(db_session, building, [flat_101(building=name)])
    assert plan.problems == [] and plan.new_buildings == {}
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 1)


def test_a_stored_flat_imported_as_it_is_is_unchanged_and_nothing_is_written(db_session, building):
    plan = imported(db_session, building, [flat_101()])
    assert (plan.created, plan.updated, plan.unchanged) == (0, 0, 1)
    assert premise(db_session, "101").changes == []


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ({"section": 2}, 2),
        ({"floor": 3}, 3),
        ({"rooms": 3}, 3),
        ({"kind": "Апартаменты"}, PremiseKind.apartments),
        ({"has_terrace": "нет"}, False),
        ({"total_area": "60"}, Decimal("60.00")),
    ],
)
def test_one_changed_cell_makes_the_row_an_update(db_session, building, cell, value):
    plan = imported(db_session, building, [flat_101(**cell)])
    assert (plan.created, plan.updated, plan.unchanged) == (0, 1, 0)
    flat = premise(db_session, "101")
    (key,) = cell
    stored = {"section": flat.section.number, "floor": flat.floor.number}.get(key)
    assert (stored if key in ("section", "floor") else getattr(flat, key)) == value
    assert flat.changes == []  # only price and status keep a history


def test_an_unchanged_row_does_not_stop_the_rows_after_it(db_session, building, make_premise):
    make_premise(building, number="102", floor=1, price="5000000.00")
    imported(db_session, building, [flat_101(), row(building="Берёзовый", number="102", floor=1)])
    assert premise(db_session, "102").price == Decimal("9800000.00")


def test_the_same_flat_three_times_points_each_repeat_at_its_first_row(db_session, building):
    assert problems(
        db_session, building, [flat_101(), flat_101(), flat_101(building="БЕРЕЗОВЫЙ")]
    ) == [
        (3, "Номер", "Помещение № 101 корпуса «Берёзовый» уже есть в строке 2"),
        (4, "Номер", "Помещение № 101 корпуса «БЕРЕЗОВЫЙ» уже есть в строке 2"),
    ]


def test_rows_without_a_building_or_a_number_are_reported_once_each(db_session, building):
    assert problems(
        db_session, building, [flat_101(building=""), flat_101(number=""), flat_101(number="")]
    ) == [
        (2, "Корпус", "Не заполнено"),
        (3, "Номер", "Не заполнено"),
        (4, "Номер", "Не заполнено"),
    ]


def test_the_same_number_in_two_buildings_is_two_flats(db_session, building):
    plan = planned(db_session, building, [flat_101(), flat_101(building="Корпус 2")])
    assert plan.problems == [] and (plan.created, plan.unchanged) == (1, 1)


# --- empty cells and missing columns ----------------------------------------------------------


def test_an_empty_optional_cell_keeps_the_flats_value_but_empty_areas_clear_it(
    db_session, building
):
    imported(
        db_session,
        building,
        [
            flat_101(
                kind="", rooms="", has_terrace="", finishing="", living_area="", kitchen_area=""
            )
        ],
    )
    flat = premise(db_session, "101")
    assert (flat.kind, flat.rooms, flat.has_terrace, flat.finishing) == (
        PremiseKind.apartment,
        2,
        True,
        Finishing.white_box,
    )
    assert (flat.living_area, flat.kitchen_area) == (None, None)


def test_a_file_without_the_area_columns_keeps_the_flats_areas(db_session, building):
    header = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена"]
    plan = imported(
        db_session, building, [["Берёзовый", 1, 1, "101", "54,30", "9 900 000"]], header=header
    )
    assert plan.updated == 1
    flat = premise(db_session, "101")
    assert (flat.living_area, flat.kitchen_area, flat.price) == (
        Decimal("30.10"),
        Decimal("10.00"),
        Decimal("9900000.00"),
    )


def test_a_new_flat_with_empty_optional_cells_gets_the_defaults(db_session, building):
    imported(
        db_session,
        building,
        [
            row(
                building="Берёзовый",
                number="102",
                kind="",
                rooms="",
                is_studio="",
                is_euro_layout="",
                has_terrace="",
                living_area="",
                kitchen_area="",
                finishing="",
                status="",
            )
        ],
    )
    flat = premise(db_session, "102")
    assert (flat.kind, flat.rooms, flat.finishing, flat.status) == (
        PremiseKind.apartment,
        0,
        Finishing.none,
        PremiseStatus.available,
    )
    assert (flat.is_studio, flat.is_euro_layout, flat.has_terrace) == (False, False, False)
    assert (flat.living_area, flat.kitchen_area) == (None, None)


# --- what apply writes ------------------------------------------------------------------------


def test_a_new_flat_is_written_with_every_cell_and_its_first_price_in_the_history(
    db_session, building, manager
):
    imported(
        db_session,
        building,
        [
            row(
                building="Берёзовый",
                number="7А",
                section=2,
                floor=-1,
                kind="Кладовая",
                rooms=0,
                is_euro_layout="да",
                total_area="4,5",
                living_area="",
                kitchen_area="",
                price="450 000",
                finishing="Чистовая",
                status="Не в продаже",
            )
        ],
        by_user_id=manager.id,
    )
    flat = premise(db_session, "7А")
    assert (flat.building_id, flat.section.number, flat.floor.number) == (building.id, 2, -1)
    assert (flat.kind, flat.is_euro_layout, flat.total_area, flat.finishing, flat.status) == (
        PremiseKind.storage,
        True,
        Decimal("4.50"),
        Finishing.fine,
        PremiseStatus.not_for_sale,
    )
    assert [(c.field, c.old_value, c.new_value, c.user_id, c.source) for c in flat.changes] == [
        ("price", None, "450000.00", manager.id, "import")
    ]


def test_a_new_building_is_named_as_its_first_row_writes_it_with_spaces_tidied(
    db_session, building
):
    plan = imported(
        db_session,
        building,
        [
            row(building="Корпус  2", number="1", floor=3),
            row(building="КОРПУС 2", number="2", floor=5),
        ],
    )
    assert plan.created == 2
    created = db_session.scalar(select(Building).where(Building.name != "Берёзовый"))
    assert (created.name, created.floors_above, created.floors_below) == (
        "Корпус 2",
        5,
        0,
    )  # spaces tidied, case kept
    assert {p.building_id for p in db_session.scalars(select(Premise))} == {
        building.id,
        created.id,
    }


def test_a_new_building_with_only_parking_underground_has_one_floor_above(db_session, building):
    imported(
        db_session,
        building,
        [row(building="Паркинг", number="П1", floor=-3, kind="Машино-место", rooms=0)],
    )
    parking = db_session.scalar(select(Building).where(Building.name == "Паркинг"))
    assert (parking.floors_above, parking.floors_below) == (1, 3)


def test_applying_a_plan_with_problems_is_refused_and_writes_nothing(db_session, building):
    plan = planned(db_session, building, [flat_101(price="дорого")])
    with pytest.raises(InvalidPremiseData) as refused:
        plan.apply(db_session, by_user_id=None)
    assert refused.value.message == "В файле есть ошибки: импорт невозможен"
    assert str(refused.value) == "В файле есть ошибки: импорт невозможен"


# --- refusals in full -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("floor", "message"),
    [
        (11, "Этаж 11 вне здания: в корпусе «Берёзовый» этажи от -1 до 10"),
        (-2, "Этаж -2 вне здания: в корпусе «Берёзовый» этажи от -1 до 10"),
    ],
)
def test_a_floor_outside_the_building_names_the_floors_it_has(db_session, building, floor, message):
    assert problems(db_session, building, [flat_101(floor=floor)]) == [(2, "Этаж", message)]


def test_a_building_without_underground_floors_counts_them_from_the_first(
    db_session, make_building
):
    building = make_building(name="Корпус 5", floors_above=9, floors_below=0)
    assert problems(db_session, building, [row(building="Корпус 5", floor=-1)]) == [
        (2, "Этаж", "Этаж -1 вне здания: в корпусе «Корпус 5» этажи от 1 до 9")
    ]


def test_a_floor_at_the_top_and_at_the_bottom_of_the_building_is_taken(db_session, building):
    plan = planned(
        db_session,
        building,
        [
            row(building="Берёзовый", number="1001", floor=10),
            row(building="Берёзовый", number="Х1", floor=-1),
        ],
    )
    assert plan.problems == [] and plan.created == 2


def test_areas_are_checked_against_the_total_area_in_the_file_or_the_flats(db_session, building):
    assert (
        problems(db_session, building, [flat_101(living_area="54,30", kitchen_area="54,30")]) == []
    )
    assert problems(db_session, building, [flat_101(living_area="54,31")]) == [
        (2, "Жилая площадь", "Жилая площадь не может быть больше общей")
    ]
    header = ["Корпус", "Секция", "Этаж", "Номер", "Общая площадь", "Цена", "Площадь кухни"]
    data, name = sheet([["Берёзовый", 1, 1, "101", "8", "9 800 000", ""]], "csv", header=header)
    plan = check(db_session, building.project, data, name)
    assert [(p.column, p.message) for p in plan.problems] == [
        ("Жилая площадь", "Жилая площадь не может быть больше общей")
    ]  # the flat keeps 30,10 of living area, more than the 8 the file gives as total


def test_an_area_is_not_compared_with_a_total_area_already_refused(db_session, building):
    assert problems(db_session, building, [flat_101(total_area="0", living_area="60")]) == [
        (2, "Общая площадь", "Площадь должна быть больше нуля")
    ]
    assert problems(db_session, building, [flat_101(living_area="-1", kitchen_area="60")]) == [
        (2, "Жилая площадь", "Площадь не может быть отрицательной"),
        (2, "Площадь кухни", "Площадь кухни не может быть больше общей"),
    ]


def test_a_studio_may_have_one_room_and_not_two(db_session, building):
    assert problems(db_session, building, [flat_101(is_studio="да", rooms=1)]) == []
    assert problems(db_session, building, [flat_101(is_studio="да", rooms=2)]) == [
        (2, "Комнат", "Студия не может иметь больше одной комнаты")
    ]
    assert problems(db_session, building, [flat_101(is_studio="да", rooms=21)]) == [
        (2, "Комнат", "Допустимо от 0 до 20")
    ]
    assert problems(db_session, building, [flat_101(is_studio="может", rooms=3)]) == [
        (2, "Студия", "Ожидается «да» или «нет», а не «может»")
    ]


def test_a_studio_with_an_unreadable_studio_cell_is_not_also_refused_for_its_rooms(
    db_session, building, make_premise
):
    make_premise(building, number="102", floor=1, rooms=1, is_studio=True)
    flat = row(building="Берёзовый", number="102", floor=1, is_studio="может", rooms=3)
    assert problems(db_session, building, [flat]) == [
        (2, "Студия", "Ожидается «да» или «нет», а не «может»")
    ]


def test_a_new_flat_may_only_be_free_or_not_for_sale(db_session, building):
    assert problems(db_session, building, [row(building="Берёзовый", status="Бронь")]) == [
        (
            2,
            "Статус",
            "Новое помещение можно завести только в статусе «Свободно» или «Не в продаже»",
        )
    ]


def test_import_does_not_reserve_a_free_flat(db_session, building):
    assert problems(db_session, building, [flat_101(status="Бронь")]) == [
        (
            2,
            "Статус",
            "Статус «Свободно» → «Бронь» импорт не меняет: "
            "бронь и сделки оформляются в своих процессах",
        )
    ]


def test_import_does_not_lift_a_paid_reservation_nor_change_its_price(
    db_session, building, make_premise
):
    make_premise(building, number="102", floor=1, status=PremiseStatus.paid_reservation)
    flat = row(building="Берёзовый", number="102", floor=1, price="10 000 000", status="Свободно")
    assert problems(db_session, building, [flat]) == [
        (
            2,
            "Статус",
            "Статус «Платная бронь» → «Свободно» импорт не меняет: "
            "бронь и сделки оформляются в своих процессах",
        )
    ]
    flat = row(building="Берёзовый", number="102", floor=1, price="1", status="Платная бронь")
    assert problems(db_session, building, [flat]) == [
        (2, "Цена", "Цена помещения № 102 зафиксирована: оно в статусе «Платная бронь»")
    ]
    flat = row(building="Берёзовый", number="102", floor=1, price="-1", status="Платная бронь")
    assert problems(db_session, building, [flat]) == [
        (2, "Цена", "Цена не может быть отрицательной")
    ]


def test_a_flat_not_for_sale_goes_on_sale_by_import(db_session, building, make_premise, manager):
    make_premise(building, number="102", floor=1, status=PremiseStatus.not_for_sale)
    imported(
        db_session,
        building,
        [row(building="Берёзовый", number="102", floor=1, price="10 000 000")],
        by_user_id=manager.id,
    )
    flat = premise(db_session, "102")
    assert flat.status == PremiseStatus.available
    assert [(c.field, c.old_value, c.new_value, c.user_id) for c in flat.changes] == [
        ("status", "not_for_sale", "available", manager.id)
    ]


def test_problems_are_listed_by_row_then_in_the_files_column_order(db_session, building):
    assert problems(
        db_session,
        building,
        [
            flat_101(floor=12, price="abc"),
            flat_101(number="102", status="Продано", living_area="99", rooms="x"),
        ],
    ) == [
        (2, "Этаж", "Этаж 12 вне здания: в корпусе «Берёзовый» этажи от -1 до 10"),
        (2, "Цена", "Ожидается число, например 12 345,50"),
        (3, "Комнат", "Ожидается целое число"),
        (3, "Жилая площадь", "Жилая площадь не может быть больше общей"),
        (
            3,
            "Статус",
            "Новое помещение можно завести только в статусе «Свободно» или «Не в продаже»",
        ),
    ]


def test_a_file_that_cannot_be_read_has_one_problem_and_no_plan(db_session, building):
    plan = check(db_session, building.project, b"", "p.xlsx")
    assert plan.problems == [Problem(None, "", "Файл пуст.")]
    assert plan.rows == [] and not plan.ok
