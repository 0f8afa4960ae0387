"""A premise created or edited by hand (engine.catalog.use_cases.save_premise): what is written,
what keeps its history, and the refusals that name their field."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.catalog.use_cases import PremiseValues, save_premise
from models.catalog.objects import Finishing, Premise, PremiseKind, PremiseStatus
from models.db.errors import InvalidPremiseData, InvalidStatusChange

TYPED = PremiseValues(
    number=" 12А ",
    section=2,
    floor=-1,
    kind="apartments",
    rooms=1,
    total_area=Decimal("31.40"),
    living_area=Decimal("17.00"),
    kitchen_area=Decimal("6.50"),
    finishing="furnished",
    is_studio=True,
    is_euro_layout=True,
    has_terrace=True,
    price=Decimal("7300000.5"),
    status="not_for_sale",
)


@pytest.fixture
def building(make_building):
    return make_building(name="Корпус 1", floors_above=10, floors_below=1, sections=1)


def save(session, premise, building, values, user=None):
    saved = save_premise(session, premise, building, values, by_user_id=user and user.id)
    session.flush()
    return saved


def history(premise) -> list[tuple]:
    return sorted((c.field, c.old_value, c.new_value, c.user_id, c.source) for c in premise.changes)


def test_a_new_premise_is_written_as_typed_with_its_first_price_in_the_history(
    db_session, building, manager
):
    premise = save(db_session, Premise(building=building), building, TYPED, manager)

    assert premise.building_id == building.id
    assert (premise.number, premise.section.number, premise.floor.number) == ("12А", 2, -1)
    assert (premise.kind, premise.rooms, premise.finishing) == (
        PremiseKind.apartments,
        1,
        Finishing.furnished,
    )
    assert (premise.total_area, premise.living_area, premise.kitchen_area) == (
        Decimal("31.40"),
        Decimal("17.00"),
        Decimal("6.50"),
    )
    assert (premise.is_studio, premise.is_euro_layout, premise.has_terrace) == (True, True, True)
    assert (premise.price, premise.status) == (Decimal("7300000.50"), PremiseStatus.not_for_sale)
    assert history(premise) == [("price", None, "7300000.50", manager.id, "manual")]


def test_rooms_left_empty_are_no_rooms(db_session, building):
    premise = save(
        db_session,
        Premise(building=building),
        building,
        replace(TYPED, rooms=None, is_studio=False),
    )
    assert premise.rooms == 0


def test_an_edit_moves_the_premise_and_keeps_the_history_of_price_and_status(
    db_session, building, make_premise, manager
):
    premise = make_premise(building, number="5", floor=3, price="5000000.00")
    edited = replace(
        TYPED, number="5", section=1, floor=4, status="not_for_sale", price=Decimal(6e6)
    )

    save(db_session, premise, building, edited, manager)

    assert (premise.section.number, premise.floor.number) == (1, 4)
    assert history(premise) == [
        ("price", "5000000.00", "6000000.00", manager.id, "manual"),
        ("status", "available", "not_for_sale", manager.id, "manual"),
    ]


def test_an_edit_leaves_a_reserved_premises_status_to_its_process(
    db_session, building, make_premise
):
    premise = make_premise(building, number="5", status=PremiseStatus.reserved)
    save(db_session, premise, building, replace(TYPED, number="5", status="available"))
    assert premise.status == PremiseStatus.reserved
    assert [c.field for c in premise.changes] == ["price"]


def test_a_free_premise_cannot_be_reserved_by_hand(db_session, building, make_premise):
    premise = make_premise(building, number="5")
    with pytest.raises(InvalidStatusChange):
        save(db_session, premise, building, replace(TYPED, number="5", status="sold"))


def test_a_number_already_in_the_building_is_refused_next_to_the_number(
    db_session, building, make_premise
):
    first = make_premise(building, number="12А")  # the project's first premise
    db_session.commit()

    with pytest.raises(InvalidPremiseData) as refused:
        save_premise(db_session, Premise(building=building), building, TYPED, by_user_id=None)

    assert (refused.value.message, refused.value.field) == (
        "В корпусе уже есть помещение № 12А",
        "number",
    )
    db_session.rollback()
    assert db_session.scalars(select(Premise.id)).all() == [first.id]


def test_a_premise_keeps_its_own_number_when_edited(db_session, building, make_premise):
    premise = make_premise(building, number="12А")
    save(db_session, premise, building, TYPED)
    assert premise.number == "12А" and premise.price == Decimal("7300000.50")


def test_a_new_number_is_saved_next_to_the_buildings_other_premises(
    db_session, building, make_premise
):
    make_premise(building, number="12")
    premise = save(db_session, Premise(building=building), building, TYPED)
    assert sorted(p.number for p in db_session.scalars(select(Premise))) == ["12", "12А"]
    assert premise.building_id == building.id


def test_the_same_number_in_another_building_is_another_premise(
    db_session, building, make_building, make_premise
):
    other = make_building(project=building.project, name="Корпус 2")
    make_premise(other, number="12А")
    premise = save(db_session, Premise(building=building), building, TYPED)
    assert premise.number == "12А" and premise.building_id == building.id


def test_figures_that_break_a_rule_are_refused_before_anything_is_written(db_session, building):
    with pytest.raises(InvalidPremiseData) as refused:
        save_premise(
            db_session,
            Premise(building=building),
            building,
            replace(TYPED, living_area=Decimal("40")),
            by_user_id=None,
        )
    assert (refused.value.message, refused.value.field) == (
        "Жилая площадь не может быть больше общей",
        "living_area",
    )
