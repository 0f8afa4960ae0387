"""Edges of the reservation rules: the last second of a term, the queue order the head of sales
set, and the database's own refusal of a second active reservation (on any dialect)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.core.tick import tick
from engine.sales import use_cases as reservations
from models.catalog.objects import PremiseStatus
from models.sales.queue import QueueStatus
from models.sales.reservation import Channel, Reservation, ReservationError, ReservationStatus
from models.users.user import Role


@pytest.fixture
def flat(make_building, make_premise):
    return make_premise(make_building(), number="101", price="12000000.00", total_area="60")


def reserve(db_session, premise, client, user) -> Reservation:
    reservation = reservations.reserve(
        db_session, premise.id, client, channel=Channel.offline, user=user
    ).reservation
    db_session.commit()
    return reservation


def active_holder(db_session, premise) -> int | None:
    return db_session.scalar(
        select(Reservation.client_id).where(
            Reservation.premise_id == premise.id, Reservation.status == ReservationStatus.active
        )
    )


def test_a_reservation_is_still_active_one_second_before_its_deadline(
    db_session, clock, flat, manager, make_client
):
    reservation = reserve(db_session, flat, make_client("Первый"), manager)
    deadline = reservation.expires_at

    tick(db_session, now=clock.set(deadline - timedelta(seconds=1)))
    db_session.commit()
    db_session.expire_all()
    assert reservation.status == ReservationStatus.active
    assert flat.status == PremiseStatus.reserved

    tick(db_session, now=clock.set(deadline + timedelta(seconds=1)))
    db_session.commit()
    db_session.expire_all()
    assert reservation.status == ReservationStatus.expired
    assert flat.status == PremiseStatus.available


@pytest.mark.parametrize("ending", ["expiry", "cancellation"])
def test_the_queue_order_set_by_the_head_of_sales_decides_who_gets_the_premise(
    db_session, clock, flat, manager, head, make_client, ending
):
    holder = reserve(db_session, flat, make_client("Держатель"), manager)
    first, second = make_client("Первый в очереди"), make_client("Второй в очереди")
    entry_first = reservations.enqueue(db_session, flat.id, first, manager)
    entry_second = reservations.enqueue(db_session, flat.id, second, manager)
    reservations.move_in_queue(db_session, entry_second, -1, head)
    db_session.commit()

    if ending == "expiry":
        tick(db_session, now=clock.set(holder.expires_at + timedelta(seconds=1)))
    else:
        reservations.cancel(db_session, holder, "клиент передумал", manager)
    db_session.commit()
    db_session.expire_all()

    assert holder.status != ReservationStatus.active
    assert active_holder(db_session, flat) == second.id
    assert entry_second.status == QueueStatus.promoted
    assert entry_first.status == QueueStatus.waiting


def test_the_database_allows_one_active_reservation_per_premise(
    db_session, flat, manager, make_client
):
    """The partial unique index, straight to the table: no lock, no status check above it."""
    first = reserve(db_session, flat, make_client("Первый"), manager)
    second = make_client("Второй")

    def row(status: ReservationStatus) -> Reservation:
        return Reservation(
            premise_id=flat.id,
            client_id=second.id,
            channel=Channel.online,
            status=status,
            starts_at=first.starts_at,
            expires_at=first.expires_at,
            fixed_price=Decimal("1.00"),
            fixed_price_per_m2=Decimal("1.00"),
        )

    db_session.add(row(ReservationStatus.expired))  # an ended one beside it: the index is partial
    db_session.flush()
    db_session.add(row(ReservationStatus.active))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()
    assert active_holder(db_session, flat) == first.client_id


def test_a_client_leaves_the_queue_at_that_moment_and_only_by_their_manager_or_the_head(
    db_session, clock, flat, manager, make_user, make_client
):
    reserve(db_session, flat, make_client("Держатель"), manager)
    entry = reservations.enqueue(db_session, flat.id, make_client("В очереди"), manager)
    other = make_user(Role.sales_manager, email="other@test.local")

    with pytest.raises(ReservationError) as refused:
        reservations.remove_from_queue(db_session, entry, other)
    assert refused.value.message == "Убрать из очереди может свой менеджер или руководитель"
    assert entry.status == QueueStatus.waiting

    reservations.remove_from_queue(db_session, entry, manager)
    assert (entry.status, entry.ended_at) == (QueueStatus.removed, clock.now)
