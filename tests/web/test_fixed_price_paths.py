"""A fixed price cannot be changed (Premise.can_change_price), on each of its three paths: the
price-change process's action, the manual edit of the premise, and the price-list import."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.catalog.actions import change_premise_price
from engine.catalog.price_list import BY_KEY, COLUMNS, premise_rows
from engine.catalog.price_list_files import write_csv
from engine.catalog.price_list_import import check
from engine.core.actions import ActionContext, ActionError
from models.catalog.objects import Premise, PremiseChange, PremiseStatus
from models.db.errors import InvalidPremiseData
from models.users.user import Role
from tests.web.test_catalog_pages import field_errors, premise_data
from web.extensions import db

FIXED = [PremiseStatus.paid_reservation, PremiseStatus.in_deal, PremiseStatus.sold]
PRICE = Decimal("10000000.00")


@pytest.fixture(params=FIXED, ids=[s.value for s in FIXED])
def fixed(request, make_building, make_premise):
    premise = make_premise(make_building(), number="101", price=str(PRICE), status=request.param)
    db.session.commit()
    return premise


def assert_price_kept(premise: Premise) -> None:
    db.session.expire_all()
    assert db.session.get(Premise, premise.id).price == PRICE
    assert db.session.scalars(select(PremiseChange.field)).all() == []


def test_the_process_action_refuses_a_fixed_price(fixed, manager):
    ctx = ActionContext(db.session, None, manager.id)
    with pytest.raises(ActionError) as refused:
        change_premise_price(ctx, fixed.id, "9900000", manager.id)
    assert refused.value.code == "price_not_changeable"
    assert "Цена помещения № 101 зафиксирована" in refused.value.message
    assert_price_kept(fixed)


def edit(client, premise: Premise, **fields):
    """Post the premise's edit form: its own values, but for `fields`."""
    data = premise_data(
        number=premise.number,
        section="1",
        floor=str(premise.floor.number),
        total_area="50",
        living_area=None,
        kitchen_area=None,
        status=premise.status.value,
        **fields,
    )
    return client.post(f"/premises/{premise.id}/edit", data=data)


def test_the_manual_edit_refuses_a_fixed_price_at_its_field(client, login_as, fixed):
    login_as(Role.head_of_sales)

    response = edit(client, fixed, price="9 900 000")

    assert response.status_code == 200
    [message] = field_errors(response.data, "price")
    assert message.startswith("Цена помещения № 101 зафиксирована: оно в статусе")
    assert_price_kept(fixed)


def test_the_manual_edit_of_other_fields_keeps_a_fixed_price_and_is_saved(client, login_as, fixed):
    login_as(Role.head_of_sales)

    response = edit(client, fixed, rooms="3", price="10 000 000")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Premise, fixed.id).rooms == 3
    assert_price_kept(fixed)


def test_the_import_refuses_a_fixed_price_at_its_row_and_column_and_writes_nothing(fixed):
    [row] = premise_rows(db.session, Premise.id == fixed.id)
    row[[c.key for c in COLUMNS].index("price")] = Decimal("9900000")

    plan = check(db.session, fixed.building.project, write_csv([row]), "prices.csv")

    [problem] = plan.problems
    assert (problem.row, problem.column) == (2, BY_KEY["price"].header)
    assert problem.message.startswith("Цена помещения № 101 зафиксирована: оно в статусе")
    with pytest.raises(InvalidPremiseData):
        plan.apply(db.session, by_user_id=None)
    db.session.commit()
    assert_price_kept(fixed)


def test_the_import_repeating_a_fixed_price_is_no_problem(fixed):
    rows = premise_rows(db.session, Premise.id == fixed.id)

    plan = check(db.session, fixed.building.project, write_csv(rows), "prices.csv")

    assert plan.problems == []
    assert plan.unchanged == 1
