"""Premise rules in memory: the premise is free; a fixed price cannot be changed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from models.catalog.objects import PRICE_FIXED_STATUSES, PremiseStatus, PriceIsFixed
from models.sales.reservation import PremiseUnavailable, Reservation
from tests.unit.memory import PRICE, premise

TAKEN = [s for s in PremiseStatus if s != PremiseStatus.available]
OPEN_PRICE = [s for s in PremiseStatus if s not in PRICE_FIXED_STATUSES]


def test_only_an_available_premise_can_be_reserved():
    assert premise(PremiseStatus.available).can_reserve()
    for status in TAKEN:
        assert not premise(status).can_reserve(), status


@pytest.mark.parametrize("status", TAKEN)
def test_a_taken_premise_is_refused_as_unavailable_and_keeps_its_status(status):
    taken = premise(status)
    with pytest.raises(PremiseUnavailable, match="№ 101 уже не свободно") as refused:
        Reservation.require_free(taken)
    assert refused.value.code == "premise_unavailable"
    assert taken.status == status


def test_the_price_is_fixed_from_a_paid_reservation_on():
    fixed = {PremiseStatus.paid_reservation, PremiseStatus.in_deal, PremiseStatus.sold}
    for status in PremiseStatus:
        assert premise(status).can_change_price() == (status not in fixed), status


@pytest.mark.parametrize("status", sorted(PRICE_FIXED_STATUSES))
def test_a_fixed_price_is_not_changed_and_no_history_line_is_written(status):
    fixed = premise(status)
    with pytest.raises(PriceIsFixed, match="Цена помещения № 101 зафиксирована") as refused:
        fixed.change_price(Decimal("9000000"), by_user_id=7, source="manual")
    assert refused.value.field == "price"
    assert fixed.price == PRICE
    assert fixed.changes == []


@pytest.mark.parametrize("status", sorted(PRICE_FIXED_STATUSES))
def test_a_fixed_price_given_again_is_no_change_and_no_refusal(status):
    fixed = premise(status)
    assert fixed.change_price(PRICE, by_user_id=7, source="import") is False
    assert fixed.changes == []


@pytest.mark.parametrize("status", OPEN_PRICE)
def test_an_open_price_changes_with_its_history_line(status):
    open_ = premise(status)
    assert open_.change_price(Decimal("9000000.004"), by_user_id=7, source="manual") is True
    assert open_.price == Decimal("9000000.00")
    [line] = open_.changes
    assert (line.field, line.old_value, line.new_value) == ("price", str(PRICE), "9000000.00")
