"""In memory: the reference price cuts are measured against (finding 5) and who handles a
reservation (finding 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance
from models.sales.reservation import ONLINE_STORE, NotYourReservation
from models.users.user import Role
from tests.unit.memory import PRICE, premise, reservation, user


@pytest.mark.parametrize(
    ("new_price", "cut"),
    [
        ("9700000.00", "3.00"),
        ("9699999.99", "3.01"),  # a hair over 3 % is never shown as 3 %
        ("9700000.01", "3.00"),
        ("10500000", "-5.00"),
    ],
)
def test_the_cut_is_measured_from_the_reference_price(new_price, cut):
    assert premise().cut_pct(Decimal(new_price)) == Decimal(cut)


def test_a_cut_made_alone_keeps_the_reference_and_the_next_cut_adds_up():
    flat = premise()
    flat.change_price(Decimal("9710000"), by_user_id=7, source="process")
    assert flat.reference_price == PRICE and flat.reference_source == "created"
    assert flat.cut_pct(Decimal("9420000")) == Decimal("5.80")


@pytest.mark.parametrize(
    ("source", "approved", "moves"),
    [
        ("process", False, False),
        ("process", True, True),
        ("manual", False, True),
        ("import", False, True),
        ("reservation", False, False),
    ],
)
def test_management_and_approvals_set_the_reference_nothing_else(source, approved, moves):
    flat = premise()
    flat.change_price(Decimal("9000000"), by_user_id=7, source=source, approved=approved)
    assert flat.reference_price == (Decimal("9000000.00") if moves else PRICE)


OWNERS = {"own": 7, "another": 8, "unassigned": None}


@pytest.mark.parametrize("owner", OWNERS)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_who_handles_a_reservation(role, owner):
    held = reservation()
    held.manager_id = OWNERS[owner]
    expected = role in (Role.admin, Role.head_of_sales) or (
        role == Role.sales_manager and owner != "another"
    )
    actor = user(role, user_id=7)
    assert held.can_be_handled_by(actor) == expected
    if not expected:
        with pytest.raises(NotYourReservation) as refused:
            held.require_handler(actor)
        assert refused.value.status == 403


def test_the_online_store_handles_only_what_it_booked():
    booked = reservation()
    assert not booked.can_be_handled_by(ONLINE_STORE)
    booked.api_key_id = 5
    assert booked.can_be_handled_by(ONLINE_STORE)


def test_an_approval_is_never_decided_by_the_one_who_asked():
    head, other_head = user(Role.head_of_sales, 7), user(Role.head_of_sales, 9)
    task = HumanTask(
        status=HumanTaskStatus.open,
        role=Role.head_of_sales,
        is_approval=True,
        instance=ProcessInstance(started_by_id=7),
    )
    assert not task.can_act(head) and not task.can_take(head)
    assert task.can_act(other_head) and task.can_act(user(Role.admin, 1))
    task.is_approval = False
    assert task.can_act(head)
