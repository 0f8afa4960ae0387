"""Reservation rules in memory: the premise is free, a new term must be later, the client's
limit, and who may cancel a paid reservation or extend beyond the maximum term."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.catalog.objects import PremiseStatus
from models.sales.reservation import (
    ONLINE_STORE,
    Channel,
    ClientLimit,
    ClientLimitReached,
    PremiseUnavailable,
    Reservation,
    ReservationError,
    ReservationStatus,
)
from models.users.user import Role
from tests.unit.memory import NOW, PRICE, client, reservation, user

MAX_TERM = timedelta(days=10)
MANAGER, HEAD, ADMIN = user(Role.sales_manager), user(Role.head_of_sales), user(Role.admin)


# ------------------------------------------------------------------ taking a premise


def test_taking_a_free_premise_fixes_its_price_and_reserves_it():
    made = reservation()
    assert made.is_active
    assert made.premise.status == PremiseStatus.reserved
    assert made.fixed_price == PRICE
    assert made.expires_at == NOW + timedelta(days=3)


def test_a_paid_reservation_makes_the_premise_paid_reservation():
    assert reservation(paid=True).premise.status == PremiseStatus.paid_reservation


def test_a_second_client_cannot_reserve_a_reserved_premise():
    taken = reservation().premise
    with pytest.raises(PremiseUnavailable):
        Reservation.take(
            taken,
            client(4),
            channel=Channel.online,
            term=timedelta(days=1),
            manager_id=None,
            now=NOW,
        )
    assert taken.status == PremiseStatus.reserved


# ------------------------------------------------------------------ a new term must be later


def test_a_new_term_must_be_later_than_the_current_one():
    made = reservation()
    assert made.can_extend(made.expires_at + timedelta(minutes=1))
    assert not made.can_extend(made.expires_at)
    assert not made.can_extend(made.expires_at - timedelta(minutes=1))


@pytest.mark.parametrize("shift", [timedelta(0), timedelta(hours=-1)])
def test_an_extension_to_a_term_not_later_is_refused_at_the_until_field(shift):
    made = reservation()
    expires_at = made.expires_at
    with pytest.raises(ReservationError) as refused:
        made.extend(expires_at + shift, by_user_id=7, now=NOW)
    assert (refused.value.code, refused.value.field) == ("bad_term", "until")
    assert made.expires_at == expires_at


def test_an_extension_moves_the_term_with_a_history_line():
    made = reservation()
    until = made.expires_at + timedelta(days=1)
    made.extend(until, by_user_id=7, now=NOW)
    assert made.expires_at == until
    assert [e.kind for e in made.events] == ["created", "extended"]


def test_an_ended_reservation_is_not_extended():
    made = reservation()
    made.end(ReservationStatus.cancelled, by_user_id=7, now=NOW)
    later = made.expires_at + timedelta(days=1)
    assert not made.can_extend(later)
    with pytest.raises(ReservationError) as refused:
        made.require_extendable(later)
    assert refused.value.code == "not_active"


def test_a_manager_extends_alone_up_to_the_maximum_term_and_the_head_beyond_it():
    made = reservation()
    last = made.starts_at + MAX_TERM
    assert made.can_extend_alone(last, MAX_TERM, MANAGER)
    beyond = last + timedelta(minutes=1)
    assert not made.can_extend_alone(beyond, MAX_TERM, MANAGER)
    assert made.can_extend_alone(beyond, MAX_TERM, HEAD)
    assert made.can_extend_alone(beyond, MAX_TERM, ADMIN)
    assert not made.can_extend_alone(made.expires_at, MAX_TERM, HEAD)  # not later


# ------------------------------------------------------------------ who may cancel


def test_a_free_reservation_is_cancelled_alone_by_anyone_who_may_cancel():
    made = reservation()
    for actor in (MANAGER, HEAD, ONLINE_STORE):
        assert made.can_cancel_alone(actor), actor


def test_a_paid_reservation_needs_the_head_of_sales_unless_the_online_store_cancels():
    paid = reservation(paid=True)
    assert not paid.can_cancel_alone(MANAGER)
    assert not paid.can_cancel_alone(user(Role.analyst))
    assert paid.can_cancel_alone(HEAD)
    assert paid.can_cancel_alone(ADMIN)
    assert paid.can_cancel_alone(ONLINE_STORE)


def test_an_ended_reservation_is_cancelled_by_no_one():
    made = reservation()
    made.end(ReservationStatus.expired, by_user_id=None, now=NOW)
    for actor in (MANAGER, HEAD, ONLINE_STORE):
        assert not made.can_cancel_alone(actor), actor
    with pytest.raises(ReservationError) as refused:
        made.require_active()
    assert refused.value.code == "not_active"


# ------------------------------------------------------------------ the client's limit


def test_the_client_may_reserve_up_to_the_limit_and_not_one_more():
    assert ClientLimit(limit=2, active=1).can_reserve_another()
    assert not ClientLimit(limit=2, active=2).can_reserve_another()
    assert not ClientLimit(limit=2, active=3).can_reserve_another()
    ClientLimit(limit=2, active=1).reserve_another(Channel.online)  # no refusal


def test_over_the_limit_the_office_may_ask_the_head_and_the_online_store_may_not():
    reached = ClientLimit(limit=2, active=2)
    with pytest.raises(ClientLimitReached) as online:
        reached.reserve_another(Channel.online)
    assert online.value.code == "client_limit_reached"
    assert online.value.message == "У клиента уже 2 активных брони — это предел"
    with pytest.raises(ClientLimitReached, match="можно запросить согласование руководителя"):
        reached.reserve_another(Channel.offline)


def test_an_approved_reservation_over_the_limit_passes():
    ClientLimit(limit=2, active=2).reserve_another(Channel.offline, approved=True)
