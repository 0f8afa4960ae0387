"""A price-list import moves a flat to the floor and section its row names, and every change it
makes carries the user who imported the file."""

from __future__ import annotations

from decimal import Decimal

from engine.catalog.price_list_import import check
from tests.integration.test_price_list import row, sheet


def test_a_row_moves_the_flat_and_its_changes_carry_the_importer(
    db_session, make_building, make_premise, manager
):
    building = make_building(name="Корпус 1", floors_above=10, sections=2)
    flat = make_premise(building, number="101", floor=1, section=1, living_area=Decimal("30"))
    data, name = sheet(
        [row(number="101", section=2, floor=4, price="10 500 000", status="Не в продаже")], "csv"
    )

    plan = check(db_session, building.project, data, name)
    assert plan.problems == [] and plan.updated == 1
    plan.apply(db_session, by_user_id=manager.id)
    db_session.commit()
    db_session.refresh(flat)

    assert (flat.section.number, flat.floor.number) == (2, 4)
    assert sorted((c.field, c.new_value, c.user_id, c.source) for c in flat.changes) == [
        ("price", "10500000.00", manager.id, "import"),
        ("status", "not_for_sale", manager.id, "import"),
    ]
