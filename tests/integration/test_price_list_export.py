"""The exported price list: one row per premise of the chosen buildings, ordered as a sales
office reads it (building, section, floor, then number as people count)."""

from __future__ import annotations

from decimal import Decimal

from engine.catalog.price_list import premise_rows
from models.catalog.objects import Building, Premise, PremiseKind


def test_rows_are_ordered_by_building_then_section_then_floor_then_number(
    db_session, make_building, make_premise
):
    first = make_building(name="Корпус 1", floors_above=9, floors_below=1, sections=2)
    second = make_building(project=first.project, name="Корпус 2", sections=1)
    make_premise(second, number="1", floor=1, section=1)
    make_premise(first, number="21", floor=1, section=2)
    make_premise(first, number="10", floor=2, section=1)
    make_premise(first, number="9", floor=2, section=1)
    make_premise(first, number="М-1", floor=-1, section=1, kind=PremiseKind.parking, rooms=0)

    rows = premise_rows(db_session, Building.project_id == first.project_id)

    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("Корпус 1", 1, -1, "М-1"),
        ("Корпус 1", 1, 2, "9"),
        ("Корпус 1", 1, 2, "10"),
        ("Корпус 1", 2, 1, "21"),
        ("Корпус 2", 1, 1, "1"),
    ]


def test_only_the_premises_asked_for_are_exported_with_their_figures(
    db_session, make_building, make_premise
):
    building = make_building(name="Корпус 1", sections=1)
    make_premise(building, number="1", floor=3, total_area="40.00", price="8000000.00")
    make_premise(building, number="2", floor=4)

    [row] = premise_rows(db_session, Premise.number == "1")

    assert row[:4] == ["Корпус 1", 1, 3, "1"]
    assert row[9] == Decimal("40.00") and row[12:14] == [
        Decimal("8000000.00"),
        Decimal("200000.00"),
    ]
