"""processes/reservation.bpmn end to end: take, fix the price, expire, queue, limits, changes."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.core import runtime
from engine.core.tick import run_until_idle
from engine.sales import use_cases as reservations
from models.catalog.objects import PremiseStatus
from models.db.base import utcnow
from models.notifications.in_app import Notification
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance, ProcessStatus
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import (
    Channel,
    ClientLimitReached,
    PremiseUnavailable,
    Reservation,
    ReservationStatus,
)
from models.users.user import Role


@pytest.fixture
def building(make_building):
    return make_building()


@pytest.fixture
def flat(building, make_premise):
    return make_premise(building, number="101", price="12000000.00", total_area="60")


def reserve_outcome(db_session, premise, client, user, **kwargs):
    """What reserving did (reservations.ReservationOutcome), committed."""
    outcome = reservations.reserve(
        db_session,
        premise.id,
        client,
        channel=kwargs.pop("channel", Channel.offline),
        user=user,
        **kwargs,
    )
    db_session.commit()
    return outcome


def reserve(db_session, premise, client, user, **kwargs):
    """The reservation made (None: an approval was requested instead), committed."""
    return reserve_outcome(db_session, premise, client, user, **kwargs).reservation


def open_tasks(db_session):
    return db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open).order_by(HumanTask.id)
    ).all()


def test_a_reservation_takes_the_premise_and_fixes_its_price(
    db_session, flat, manager, make_client
):
    client = make_client()
    reservation = reserve(db_session, flat, client, manager)

    assert reservation.status == ReservationStatus.active
    assert flat.status == PremiseStatus.reserved
    assert reservation.fixed_price == Decimal("12000000.00")
    assert reservation.fixed_price_per_m2 == Decimal("200000.00")
    assert reservation.expires_at - reservation.starts_at == timedelta(days=3)
    instance = db_session.scalars(select(ProcessInstance)).one()
    assert instance.status == ProcessStatus.waiting
    assert instance.business_keys["reservation_id"] == reservation.id
    assert instance.next_timer_at is not None

    flat.change_price(Decimal("13000000.00"), by_user_id=None, source="manual")
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.fixed_price == Decimal("12000000.00")


def test_a_second_client_cannot_reserve_a_reserved_premise(db_session, flat, manager, make_client):
    reserve(db_session, flat, make_client(), manager)
    with pytest.raises(PremiseUnavailable):
        reservations.reserve(
            db_session, flat.id, make_client("Петров"), channel=Channel.offline, user=manager
        )
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Reservation)) == 1


def test_the_deadline_expires_the_reservation_and_frees_the_premise(
    db_session, clock, flat, manager, make_client
):
    reservation = reserve(db_session, flat, make_client(), manager)
    clock.advance(days=3, seconds=1)  # an office reservation holds for three days
    run_until_idle(db_session)
    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.expired
    db_session.refresh(flat)
    assert flat.status == PremiseStatus.available
    kinds = [e.kind for e in reservation.events]
    assert kinds[0] == "created" and "expired" in kinds


def test_one_tick_batch_expires_several_reservations_and_hands_each_premise_to_its_queue(
    db_session, clock, building, make_premise, manager, make_client
):
    flats = [make_premise(building, number=str(n), price="9000000.00") for n in (201, 202, 203)]
    holders = [
        reserve(db_session, flat, make_client(f"Держатель {i}"), manager)
        for i, flat in enumerate(flats)
    ]
    queued = {}
    for flat in flats[:2]:  # the third premise has no queue
        queued[flat.id] = [make_client(f"Очередь {flat.number}-{n}") for n in (1, 2)]
        for client in queued[flat.id]:
            reservations.enqueue(db_session, flat.id, client, manager)
    db_session.commit()
    clock.advance(days=3, seconds=1)

    assert run_until_idle(db_session).errors == 0
    db_session.expire_all()

    for holder in holders:
        assert holder.status == ReservationStatus.expired
    for flat in flats[:2]:
        [offer] = db_session.scalars(
            select(Reservation).where(
                Reservation.premise_id == flat.id, Reservation.status == ReservationStatus.active
            )
        ).all()
        first, second = queued[flat.id]
        assert offer.client_id == first.id and offer.from_queue
        assert flat.status == PremiseStatus.reserved
        entries = db_session.scalars(select(QueueEntry).where(QueueEntry.premise_id == flat.id))
        statuses = {e.client_id: e.status for e in entries}
        assert statuses == {first.id: QueueStatus.promoted, second.id: QueueStatus.waiting}
    assert flats[2].status == PremiseStatus.available
    titles = sorted(task.title for task in open_tasks(db_session))
    assert len(titles) == 2 and "Очередь 201-1" in titles[0] and "Очередь 202-1" in titles[1]
    errors = db_session.scalar(
        select(func.count()).where(ProcessInstance.status == ProcessStatus.error)
    )
    assert errors == 0


def test_the_queue_gets_the_premise_and_must_confirm_within_the_window(
    db_session, flat, manager, make_user, make_client
):
    other_manager = make_user(Role.sales_manager, email="m2@test.local")
    first = reserve(db_session, flat, make_client("Первый"), manager)
    second_client = make_client("Второй")
    third_client = make_client("Третий")
    reservations.enqueue(db_session, flat.id, second_client, other_manager)
    reservations.enqueue(db_session, flat.id, third_client, manager)
    db_session.commit()

    reservations.cancel(db_session, first, "клиент передумал", manager)
    db_session.commit()

    promoted = db_session.scalars(
        select(Reservation).where(Reservation.status == ReservationStatus.active)
    ).one()
    assert promoted.client_id == second_client.id and promoted.from_queue
    assert flat.status == PremiseStatus.reserved
    [confirm] = open_tasks(db_session)
    assert confirm.task_name == "confirm_offer" and confirm.assignee_id == other_manager.id
    assert "Второй" in confirm.title

    runtime.complete(db_session, confirm.id, other_manager, {"confirmed": "true"})
    db_session.commit()
    db_session.refresh(promoted)
    assert promoted.confirmed_at is not None
    assert promoted.status == ReservationStatus.active


def test_an_unconfirmed_queue_offer_passes_to_the_next_client(
    db_session, clock, flat, manager, make_client
):
    first = reserve(db_session, flat, make_client("Первый"), manager)
    second, third = make_client("Второй"), make_client("Третий")
    reservations.enqueue(db_session, flat.id, second, manager)
    reservations.enqueue(db_session, flat.id, third, manager)
    reservations.cancel(db_session, first, "клиент передумал", manager)
    db_session.commit()
    clock.advance(days=1, seconds=1)  # the queue's window to answer is one day
    run_until_idle(db_session)

    active = db_session.scalars(
        select(Reservation).where(Reservation.status == ReservationStatus.active)
    ).one()
    assert active.client_id == third.id
    statuses = {r.client_id: r.status for r in db_session.scalars(select(Reservation))}
    assert statuses[second.id] == ReservationStatus.expired
    [confirm] = open_tasks(db_session)
    assert "Третий" in confirm.title


def test_over_the_limit_a_reservation_needs_the_head_of_sales(
    db_session, building, make_premise, manager, head, make_client
):
    client = make_client()
    flats = [make_premise(building, number=str(n), price="10000000") for n in (1, 2, 3)]
    reserve(db_session, flats[0], client, manager)
    reserve(db_session, flats[1], client, manager)

    with pytest.raises(ClientLimitReached):
        reservations.reserve(db_session, flats[2].id, client, channel=Channel.offline, user=manager)
    db_session.rollback()
    assert db_session.scalar(select(func.count()).select_from(Reservation)) == 2

    pending = reserve_outcome(db_session, flats[2], client, manager, request_approval=True)
    assert pending.approval_requested and pending.reservation is None
    assert pending.instance.status == ProcessStatus.waiting
    [approval] = open_tasks(db_session)
    assert approval.role == Role.head_of_sales and approval.is_approval
    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()
    db_session.refresh(flats[2])
    assert flats[2].status == PremiseStatus.reserved
    assert (
        db_session.scalar(
            select(func.count()).where(
                Reservation.client_id == client.id, Reservation.status == ReservationStatus.active
            )
        )
        == 3
    )


def test_the_online_channel_has_no_approval_for_the_limit(
    db_session, building, make_premise, make_client
):
    client = make_client()
    flats = [make_premise(building, number=str(n), price="10000000") for n in (1, 2, 3)]
    for premise in flats[:2]:
        reserve(db_session, premise, client, None, channel=Channel.online)
    with pytest.raises(ClientLimitReached):
        reservations.reserve(
            db_session,
            flats[2].id,
            client,
            channel=Channel.online,
            user=None,
            request_approval=True,
        )


def test_payment_fixes_the_premise_and_lengthens_the_term(db_session, flat, manager, make_client):
    reservation = reserve(db_session, flat, make_client(), manager)
    reservations.pay(db_session, reservation, "50000", manager)
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.is_paid and reservation.fee == Decimal("50000.00")
    assert flat.status == PremiseStatus.paid_reservation
    assert reservation.expires_at - reservation.paid_at >= timedelta(days=14) - timedelta(seconds=5)


def test_extending_within_the_maximum_is_the_managers_call(db_session, flat, manager, make_client):
    reservation = reserve(db_session, flat, make_client(), manager)
    instance = db_session.scalars(select(ProcessInstance)).one()
    until = reservation.expires_at + timedelta(days=2)
    reservations.extend(db_session, reservation, until, manager)
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.expires_at == until
    db_session.refresh(instance)
    assert instance.status == ProcessStatus.waiting
    assert instance.next_timer_at > utcnow() + timedelta(days=2)


def test_extending_beyond_the_maximum_waits_for_approval(
    db_session, flat, manager, head, make_client
):
    reservation = reserve(db_session, flat, make_client(), manager)
    old = reservation.expires_at
    until = reservation.starts_at + timedelta(days=45)
    request = reservations.extend(db_session, reservation, until, manager)
    db_session.commit()
    assert request.approval_requested and request.reservation is reservation
    assert request.instance.process_id == reservations.CHANGE_PROCESS
    assert reservation.expires_at == old
    [approval] = open_tasks(db_session)
    assert "продлить до" in approval.title
    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.expires_at == until


def test_cancelling_a_paid_reservation_needs_approval(db_session, flat, manager, head, make_client):
    reservation = reserve(db_session, flat, make_client(), manager)
    reservations.pay(db_session, reservation, None, manager)
    reservations.cancel(db_session, reservation, "передумал", manager)
    db_session.commit()
    assert reservation.status == ReservationStatus.active
    [approval] = open_tasks(db_session)
    runtime.complete(
        db_session, approval.id, head, {"decision": "reject", "decision_comment": "деньги уплачены"}
    )
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.active

    reservations.cancel(db_session, reservation, "по решению руководителя", head)
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.cancelled
    db_session.refresh(flat)
    assert flat.status == PremiseStatus.available


def test_conversion_starts_the_deal(db_session, flat, manager, make_client):
    reservation = reserve(db_session, flat, make_client(), manager)
    reservations.convert(db_session, reservation, manager)
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.converted
    db_session.refresh(flat)
    assert flat.status == PremiseStatus.in_deal
    instance = db_session.scalars(select(ProcessInstance)).one()
    assert instance.status == ProcessStatus.completed


def test_queue_rules(db_session, flat, manager, head, make_client):
    holder = make_client("Держатель")
    with pytest.raises(Exception, match="свободно"):
        reservations.enqueue(db_session, flat.id, holder, manager)
    reserve(db_session, flat, holder, manager)
    with pytest.raises(Exception, match="уже есть бронь"):
        reservations.enqueue(db_session, flat.id, holder, manager)
    a, b = make_client("А"), make_client("Б")
    entry_a = reservations.enqueue(db_session, flat.id, a, manager)
    entry_b = reservations.enqueue(db_session, flat.id, b, manager)
    with pytest.raises(Exception, match="уже стоит"):
        reservations.enqueue(db_session, flat.id, a, manager)
    with pytest.raises(Exception, match="руководитель"):
        reservations.move_in_queue(db_session, entry_b, -1, manager)
    reservations.move_in_queue(db_session, entry_b, -1, head)
    assert [e.client_id for e in reservations.waiting_entries(db_session, flat.id)] == [b.id, a.id]
    reservations.remove_from_queue(db_session, entry_a, manager)
    assert entry_a.status == QueueStatus.removed


def test_an_approved_request_whose_premise_was_taken_meanwhile_tells_the_manager(
    db_session, building, make_premise, manager, head, make_client
):
    client = make_client()
    flats = [make_premise(building, number=str(n), price="10000000") for n in (1, 2, 3)]
    reserve(db_session, flats[0], client, manager)
    reserve(db_session, flats[1], client, manager)
    reserve(db_session, flats[2], client, manager, request_approval=True)
    reserve(db_session, flats[2], make_client("Другой"), manager)  # faster than the approval
    [approval] = open_tasks(db_session)

    runtime.complete(db_session, approval.id, head, {"decision": "approve"})
    db_session.commit()

    notes = db_session.scalars(
        select(Notification).where(
            Notification.user_id == manager.id, Notification.kind == "reservation_refused"
        )
    ).all()
    assert [n.text for n in notes] == [
        "Бронь помещения № 3 не поставлена: Помещение № 3 уже не свободно"
    ]
    assert (
        db_session.scalar(
            select(func.count()).where(
                Reservation.client_id == client.id, Reservation.status == ReservationStatus.active
            )
        )
        == 2
    )
