"""A building's floors and sections, a premise's title, price per square metre and the history
its price and status keep, in memory: each rule at its boundary, each refusal in full."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.catalog.objects import (
    Building,
    Floor,
    Premise,
    PremiseKind,
    PremiseStatus,
    PriceIsFixed,
    Project,
    Section,
    price_per_m2,
)
from models.db.errors import InvalidPremiseData, InvalidStatusChange
from tests.unit.memory import PRICE, premise


def building(above: int = 10, below: int = 2) -> Building:
    return Building(
        name="Корпус 1",
        floors_above=above,
        floors_below=below,
        project=Project(name="ЖК «Парк»"),
        sections=[],
    )


def test_a_buildings_title_names_its_project_and_itself():
    assert building().title == "ЖК «Парк», Корпус 1"


@pytest.mark.parametrize(
    ("number", "inside"),
    [(-3, False), (-2, True), (-1, True), (0, False), (1, True), (10, True), (11, False)],
)
def test_a_floor_is_in_the_building_from_its_lowest_basement_to_its_top(number, inside):
    assert building(above=10, below=2).floor_in_range(number) is inside


def test_a_section_is_made_once_and_named_by_its_number():
    house = building()
    second = house.ensure_section(2)
    assert (second.number, second.name) == (2, "Секция 2")
    assert house.ensure_section(2) is second
    assert house.ensure_section(1) is not second
    assert house.section_by_number(2) is second and house.section_by_number(3) is None
    assert [s.number for s in house.sections] == [2, 1]


def test_a_floor_is_made_once_per_section():
    section = building().ensure_section(1)
    top = section.ensure_floor(10)
    assert top.number == 10
    assert section.ensure_floor(10) is top
    assert section.ensure_floor(-2) is not top
    assert [f.number for f in section.floors] == [10, -2]


@pytest.mark.parametrize(
    ("above", "below", "number", "message"),
    [
        (10, 2, 11, "Этаж 11 вне здания: в корпусе «Корпус 1» этажи от -2 до 10"),
        (10, 2, -3, "Этаж -3 вне здания: в корпусе «Корпус 1» этажи от -2 до 10"),
        (5, 0, -1, "Этаж -1 вне здания: в корпусе «Корпус 1» этажи от 1 до 5"),
    ],
)
def test_a_floor_outside_the_building_is_refused_naming_its_floors(above, below, number, message):
    section = building(above, below).ensure_section(1)
    with pytest.raises(InvalidPremiseData) as refused:
        section.ensure_floor(number)
    assert (refused.value.message, refused.value.field) == (message, "floor")
    assert section.floors == []


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (PremiseKind.apartment, "Кв. № 101"),
        (PremiseKind.commercial, "Комм. № 101"),
        (PremiseKind.parking, "М/м № 101"),
        (PremiseKind.storage, "Кл. № 101"),
        (PremiseKind.apartments, "Ап. № 101"),
    ],
)
def test_a_premise_is_titled_by_its_kind_and_number(kind, title):
    assert Premise(number="101", kind=kind).title == title


def test_a_premise_is_in_the_section_of_its_floor():
    section = Section(number=3)
    flat = Premise(floor=Floor(number=2, section=section))
    assert flat.section is section


@pytest.mark.parametrize(
    ("price", "area", "per_m2"),
    [
        ("10000000.00", "50.00", "200000.00"),
        ("100.00", "3.00", "33.33"),
        ("200.00", "3.00", "66.67"),
        ("0.05", "2.00", "0.03"),  # half a kopeck is rounded up
        ("1000000.00", "0", "0.00"),
        ("1000000.00", None, "0.00"),
    ],
)
def test_the_price_per_square_metre_is_rounded_to_the_kopeck(price, area, per_m2):
    area = None if area is None else Decimal(area)
    assert price_per_m2(Decimal(price), area) == Decimal(per_m2)
    assert Premise(price=Decimal(price), total_area=area).price_per_m2 == Decimal(per_m2)


# --- price ----------------------------------------------------------------------------------


def test_a_negative_price_is_refused_at_the_price_field():
    flat = premise()
    with pytest.raises(InvalidPremiseData) as refused:
        flat.change_price(Decimal("-0.01"), by_user_id=7, source="manual")
    assert (refused.value.message, refused.value.field) == (
        "Цена не может быть отрицательной",
        "price",
    )
    assert flat.price == PRICE and flat.changes == []


def test_a_price_of_zero_is_a_change():
    flat = premise()
    assert flat.change_price(Decimal("0"), by_user_id=None, source="import") is True
    assert flat.price == Decimal("0.00")


def test_a_price_that_rounds_to_the_same_kopeck_is_no_change():
    flat = premise()
    assert flat.change_price(PRICE + Decimal("0.004"), by_user_id=7, source="manual") is False
    assert flat.changes == []


def test_the_first_price_of_a_new_premise_is_a_history_line_without_an_old_value():
    flat = Premise(number="1", status=PremiseStatus.available)
    assert flat.change_price(Decimal("5000000"), by_user_id=7, source="import") is True
    [line] = flat.changes
    assert (line.field, line.old_value, line.new_value, line.user_id, line.source) == (
        "price",
        None,
        "5000000.00",
        7,
        "import",
    )


def test_a_price_change_records_who_made_it_and_how():
    flat = premise()
    flat.change_price(Decimal("9500000"), by_user_id=7, source="process")
    [line] = flat.changes
    assert (line.old_value, line.new_value, line.user_id, line.source) == (
        "10000000.00",
        "9500000.00",
        7,
        "process",
    )


def test_a_fixed_price_is_refused_naming_the_premise_and_its_status():
    flat = premise(PremiseStatus.in_deal, number="7Б")
    with pytest.raises(PriceIsFixed) as refused:
        flat.change_price(Decimal("1"), by_user_id=None, source="manual")
    assert refused.value.message == "Цена помещения № 7Б зафиксирована: оно в статусе «Оформление»"
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "price_not_changeable",
        409,
        "price",
    )


# --- status ---------------------------------------------------------------------------------

ALLOWED = {
    PremiseStatus.not_for_sale: {PremiseStatus.available},
    PremiseStatus.available: {
        PremiseStatus.not_for_sale,
        PremiseStatus.reserved,
        PremiseStatus.paid_reservation,
    },
    PremiseStatus.reserved: {
        PremiseStatus.available,
        PremiseStatus.paid_reservation,
        PremiseStatus.in_deal,
    },
    PremiseStatus.paid_reservation: {PremiseStatus.available, PremiseStatus.in_deal},
    PremiseStatus.in_deal: {PremiseStatus.available, PremiseStatus.sold},
    PremiseStatus.sold: set(),
}


@pytest.mark.parametrize("old", list(PremiseStatus))
def test_a_premise_moves_only_along_its_life_and_may_stay_where_it_is(old):
    for new in PremiseStatus:
        allowed = new == old or new in ALLOWED[old]
        assert premise(old).can_change_status(new) is allowed, (old, new)


def test_a_status_change_records_who_made_it_and_how():
    flat = premise(PremiseStatus.available)
    assert flat.change_status(PremiseStatus.reserved, by_user_id=7, source="process") is True
    assert flat.status == PremiseStatus.reserved
    [line] = flat.changes
    assert (line.field, line.old_value, line.new_value, line.user_id, line.source) == (
        "status",
        "available",
        "reserved",
        7,
        "process",
    )


def test_the_same_status_again_is_no_change():
    flat = premise(PremiseStatus.sold)
    assert flat.change_status(PremiseStatus.sold, by_user_id=7, source="manual") is False
    assert flat.changes == []


def test_a_status_change_against_the_premises_life_is_refused_in_full():
    flat = premise(PremiseStatus.sold)
    with pytest.raises(InvalidStatusChange) as refused:
        flat.change_status(PremiseStatus.available, by_user_id=7, source="manual")
    assert (refused.value.message, refused.value.field) == (
        "Нельзя перевести помещение из статуса «Продано» в «Свободно»",
        "status",
    )
    assert flat.status == PremiseStatus.sold and flat.changes == []
