"""Paying for a reservation and confirming a queue offer, in memory: what a payment fixes, how it
lengthens the term, and what is refused."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from models.catalog.objects import PremiseStatus
from models.sales.reservation import ReservationError, ReservationStatus
from tests.unit.memory import NOW, reservation

FEE = Decimal("50000.00")
PAID_TERM = timedelta(days=14)


def test_a_payment_fixes_the_premise_and_lengthens_the_term_from_the_moment_paid():
    made = reservation()  # three days from NOW
    paid_at = NOW + timedelta(days=1)

    made.register_payment(FEE, term=PAID_TERM, by_user_id=7, now=paid_at)

    assert (made.is_paid, made.fee, made.paid_at) == (True, FEE, paid_at)
    assert made.expires_at == paid_at + PAID_TERM
    assert made.premise.status == PremiseStatus.paid_reservation
    [line] = [e for e in made.events if e.kind == "paid"]
    assert (line.user_id, line.at) == (7, paid_at)
    assert line.data == {"fee": "50000.00", "expires_at": (paid_at + PAID_TERM).isoformat()}
    [change] = [c for c in made.premise.changes if c.new_value == "paid_reservation"]
    assert (change.field, change.old_value, change.user_id, change.source) == (
        "status",
        "reserved",
        7,
        "reservation",
    )


def test_a_payment_never_shortens_a_term_already_longer():
    made = reservation(term=timedelta(days=30))
    expires_at = made.expires_at
    made.register_payment(FEE, term=PAID_TERM, by_user_id=7, now=NOW)
    assert made.expires_at == expires_at


@pytest.mark.parametrize("fee", [Decimal("0"), Decimal("-1.00")])
def test_a_payment_of_nothing_is_refused_at_the_fee_field(fee):
    made = reservation()
    with pytest.raises(ReservationError) as refused:
        made.register_payment(fee, term=PAID_TERM, by_user_id=7, now=NOW)
    assert (refused.value.code, refused.value.field) == ("bad_fee", "fee")
    assert refused.value.message == "Сумма оплаты должна быть больше нуля"
    assert not made.is_paid and made.premise.status == PremiseStatus.reserved


def test_a_reservation_is_paid_once():
    made = reservation()
    made.register_payment(FEE, term=PAID_TERM, by_user_id=7, now=NOW)
    with pytest.raises(ReservationError) as refused:
        made.register_payment(FEE, term=PAID_TERM, by_user_id=7, now=NOW + timedelta(hours=1))
    assert (refused.value.code, refused.value.message) == ("already_paid", "Бронь уже оплачена")
    assert made.paid_at == NOW
    assert [e.kind for e in made.events].count("paid") == 1


def test_an_ended_reservation_is_not_paid():
    made = reservation()
    made.end(ReservationStatus.expired, by_user_id=None, now=NOW)
    with pytest.raises(ReservationError) as refused:
        made.register_payment(FEE, term=PAID_TERM, by_user_id=7, now=NOW)
    assert refused.value.code == "not_active"
    assert refused.value.message == "Бронь уже не действует: «Истекла»"
    assert not made.is_paid


def test_confirming_an_offer_records_who_and_when():
    made = reservation()
    made.confirm(by_user_id=9, now=NOW + timedelta(hours=2))
    assert made.confirmed_at == NOW + timedelta(hours=2)
    [line] = [e for e in made.events if e.kind == "confirmed"]
    assert (line.user_id, line.at, line.data) == (9, NOW + timedelta(hours=2), {})


def test_an_ended_offer_is_not_confirmed():
    made = reservation()
    made.end(ReservationStatus.cancelled, by_user_id=7, now=NOW)
    with pytest.raises(ReservationError) as refused:
        made.confirm(by_user_id=9, now=NOW)
    assert refused.value.code == "not_active"
    assert made.confirmed_at is None
