"""A reservation's process never holds a premise after it has failed: a refused step writes
nothing, and an administrator's cancel gives back what the process held (issue 13, § 1)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.core import runtime
from engine.sales import consistency
from engine.sales import use_cases as reservations
from models.catalog.objects import PremiseStatus
from models.db.base import utcnow
from models.db.errors import DomainError
from models.notifications.in_app import Notification
from models.process.instance import ProcessEvent, ProcessInstance, ProcessStatus
from models.sales.consistency import HeldPremiseFinding
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Channel, Reservation, ReservationStatus
from models.users.user import Role


@pytest.fixture
def flat(make_building, make_premise):
    return make_premise(make_building(), number="35", price="9000000.00", total_area="45")


def reserve(db_session, premise, client, user) -> Reservation:
    outcome = reservations.reserve(
        db_session, premise.id, client, channel=Channel.offline, user=user
    )
    db_session.commit()
    return outcome.reservation


def reservation_process(db_session) -> ProcessInstance:
    return db_session.scalars(
        select(ProcessInstance).where(ProcessInstance.process_id == "reservation")
    ).one()


def fail_with_a_negative_payment(db_session, reservation, manager) -> ProcessInstance:
    """A step no person waits on (a followup, a timer) that a rule refuses: the instance goes
    to `error`, as the payment of -5 000 ₽ did before the refusal reached the form."""
    runtime.send_message(
        db_session,
        "reservation_event",
        "reservation_id",
        reservation.id,
        {"outcome": "paid", "fee": "-5000", "user_id": manager.id},
        user=manager,
        refuse=False,
    )
    db_session.commit()
    instance = reservation_process(db_session)
    assert instance.status == ProcessStatus.error
    return instance


def test_a_payment_that_is_not_a_positive_sum_is_refused_at_its_field_and_writes_nothing(
    db_session, flat, manager, make_client
):
    reservation = reserve(db_session, flat, make_client(), manager)

    for fee in (Decimal("-5000"), Decimal("0")):
        with pytest.raises(DomainError) as refused:
            reservations.pay(db_session, reservation, fee, manager)
        db_session.rollback()  # what the request's edge does with a refusal
        assert refused.value.field == "fee"
        assert refused.value.message == "Сумма оплаты должна быть больше нуля"

    instance = reservation_process(db_session)
    assert instance.status == ProcessStatus.waiting
    assert instance.next_timer_at is not None
    assert not reservation.is_paid
    assert flat.status == PremiseStatus.reserved
    assert not db_session.scalars(select(ProcessEvent).where(ProcessEvent.kind == "error")).all()

    reservations.pay(db_session, reservation, Decimal("5000"), manager)  # the process still works
    db_session.commit()
    assert reservation.is_paid and reservation.fee == Decimal("5000")
    assert flat.status == PremiseStatus.paid_reservation


def test_cancelling_a_failed_reservation_process_cancels_the_reservation_and_frees_the_premise(
    db_session, flat, manager, make_user, make_client
):
    admin = make_user(Role.admin)
    reservation = reserve(db_session, flat, make_client(), manager)
    instance = fail_with_a_negative_payment(db_session, reservation, manager)
    assert [h.premise_id for h in consistency.held_without_process(db_session)] == [flat.id]

    runtime.cancel(db_session, instance.id, admin, "ошибочная сумма оплаты")
    db_session.commit()

    assert instance.status == ProcessStatus.cancelled
    assert reservation.status == ReservationStatus.cancelled
    assert reservation.end_reason == "Процесс отменён администратором: ошибочная сумма оплаты"
    assert flat.status == PremiseStatus.available
    cancelled = db_session.scalars(
        select(ProcessEvent).where(ProcessEvent.kind == "cancelled")
    ).one()
    assert cancelled.data == {"compensation": "Бронь снята, помещение свободно"}
    told = db_session.scalars(select(Notification).where(Notification.user_id == manager.id))
    assert any(n.text.startswith("Бронь снята: № 35") for n in told)
    assert consistency.held_without_process(db_session) == []


def test_cancelling_a_failed_reservation_process_hands_the_premise_to_the_queue(
    db_session, flat, manager, make_user, make_client
):
    admin = make_user(Role.admin)
    reservation = reserve(db_session, flat, make_client(), manager)
    waiting = make_client()
    reservations.enqueue(db_session, flat.id, waiting, manager)
    db_session.commit()
    instance = fail_with_a_negative_payment(db_session, reservation, manager)

    runtime.cancel(db_session, instance.id, admin, "сбой")
    db_session.commit()

    assert reservation.status == ReservationStatus.cancelled
    entry = db_session.scalars(select(QueueEntry)).one()
    assert entry.status == QueueStatus.promoted
    offered = db_session.scalars(
        select(Reservation).where(Reservation.status == ReservationStatus.active)
    ).one()
    assert offered.client_id == waiting.id and offered.premise_id == flat.id
    assert flat.status == PremiseStatus.reserved
    assert consistency.held_without_process(db_session) == []  # the new one has its process


def test_cancelling_a_waiting_reservation_process_also_gives_the_premise_back(
    db_session, flat, manager, make_user, make_client
):
    admin = make_user(Role.admin)
    reservation = reserve(db_session, flat, make_client(), manager)

    runtime.cancel(db_session, reservation_process(db_session).id, admin, "дубль")
    db_session.commit()

    assert reservation.status == ReservationStatus.cancelled
    assert flat.status == PremiseStatus.available


def test_a_failed_process_retried_after_its_cause_is_fixed_goes_on(
    db_session, flat, manager, make_user, make_client, monkeypatch
):
    admin = make_user(Role.admin)
    reservation = reserve(db_session, flat, make_client(), manager)
    instance = fail_with_a_negative_payment(db_session, reservation, manager)

    runtime.retry(db_session, instance.id, admin)  # the same data: it fails again, kept in error
    db_session.commit()
    assert instance.status == ProcessStatus.error
    assert flat.status == PremiseStatus.reserved

    runtime.cancel(db_session, instance.id, admin, "не лечится")
    db_session.commit()
    assert flat.status == PremiseStatus.available


def test_the_check_finds_a_premise_held_without_any_reservation_and_release_frees_it(
    db_session, flat, make_user
):
    admin = make_user(Role.admin)
    flat.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    db_session.commit()

    [found] = consistency.held_without_process(db_session)
    assert (found.premise_number, found.reason) == ("35", "нет действующей брони")

    with pytest.raises(DomainError) as refused:
        consistency.release(db_session, flat.id, admin, "  ")
    assert refused.value.field == "reason"

    done = consistency.release(db_session, flat.id, admin, "осталось от сбоя")
    db_session.commit()
    assert done == "Помещение освобождено, помещение свободно"
    assert flat.status == PremiseStatus.available
    with pytest.raises(DomainError, match="не нужно освобождать"):
        consistency.release(db_session, flat.id, admin, "ещё раз")


@pytest.mark.leaves_held
def test_the_periodic_check_tells_the_administrators_once_per_premise(
    db_session, flat, manager, make_user, make_client, clock
):
    from engine.sales.jobs import record_and_tell

    admin = make_user(Role.admin)
    reservation = reserve(db_session, flat, make_client(), manager)
    fail_with_a_negative_payment(db_session, reservation, manager)

    record_and_tell(db_session, clock.now)
    db_session.commit()
    record_and_tell(db_session, clock.advance(minutes=1))  # the same finding, found again
    db_session.commit()

    told = db_session.scalars(select(Notification).where(Notification.user_id == admin.id)).all()
    [once] = [n.text for n in told]
    assert once.startswith("Помещение № 35 занято без живого процесса: процесс брони: «Ошибка» — ")
    assert once.endswith("Сумма оплаты должна быть больше нуля.")


@pytest.mark.leaves_held
def test_the_tick_runs_the_check_at_most_every_five_minutes(
    db_session, make_building, make_premise, clock, monkeypatch
):
    from engine.sales import jobs

    monkeypatch.setattr(jobs, "_last_check", {})
    building = make_building()
    first, second = (make_premise(building, number=n, price="5000000") for n in ("1", "2"))
    first.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    db_session.commit()

    def found() -> set[str]:
        return {f.premise_id for f in db_session.scalars(select(HeldPremiseFinding))}

    jobs.check_held_premises(db_session, clock.now, 100)
    assert found() == {first.id}
    second.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    jobs.check_held_premises(db_session, clock.advance(minutes=4), 100)
    assert found() == {first.id}  # not yet
    jobs.check_held_premises(db_session, clock.advance(minutes=1), 100)
    assert found() == {first.id, second.id}


def test_a_reservation_the_queue_gets_is_titled_in_words_not_ids(
    db_session, flat, manager, make_user, make_client
):
    admin = make_user(Role.admin)
    reserve(db_session, flat, make_client(), manager)
    reservations.enqueue(db_session, flat.id, make_client("Кузнецова Мария"), manager)
    db_session.commit()
    runtime.cancel(db_session, reservation_process(db_session).id, admin, "дубль")
    db_session.commit()
    offered = db_session.scalars(
        select(ProcessInstance)
        .where(ProcessInstance.process_id == "reservation")
        .order_by(ProcessInstance.id.desc())
    ).first()
    assert offered.title == "Бронирование помещения: № 35, Кузнецова Мария (из очереди)"


def test_release_of_a_premise_held_under_a_failed_process_cancels_its_reservation(
    db_session, flat, manager, make_user, make_client
):
    admin = make_user(Role.admin)
    reservation = reserve(db_session, flat, make_client(), manager)
    waiting = make_client("Кузнецова Мария")
    reservations.enqueue(db_session, flat.id, waiting, manager)
    db_session.commit()
    fail_with_a_negative_payment(db_session, reservation, manager)

    done = consistency.release(db_session, flat.id, admin, "процесс не чинится")
    db_session.commit()

    assert done == "Бронь снята, помещение передано первому клиенту очереди"
    assert reservation.status == ReservationStatus.cancelled
    assert reservation.end_reason == "Освобождено администратором: процесс не чинится"
    offered = db_session.scalars(
        select(Reservation).where(Reservation.status == ReservationStatus.active)
    ).one()
    assert offered.client_id == waiting.id
    assert db_session.scalars(select(HeldPremiseFinding)).all() == []


def test_release_of_a_premise_with_no_reservation_records_who_freed_it(db_session, flat, make_user):
    admin = make_user(Role.admin)
    flat.change_status(PremiseStatus.reserved, by_user_id=None, source="test")
    db_session.commit()
    consistency.release(db_session, flat.id, admin, "сбой")
    db_session.commit()
    db_session.refresh(flat)
    last = max(flat.changes, key=lambda change: change.id)
    assert (last.source, last.user_id) == ("consistency", admin.id)


def test_release_refuses_a_premise_that_a_live_process_holds(
    db_session, flat, manager, make_user, make_client
):
    admin = make_user(Role.admin)
    reserve(db_session, flat, make_client(), manager)
    with pytest.raises(DomainError) as refused:
        consistency.release(db_session, flat.id, admin, "по ошибке")
    assert refused.value.message == (
        "Помещение № 35 не нужно освобождать: оно свободно или его держит живой процесс"
    )


@pytest.mark.leaves_held
def test_the_check_says_what_is_wrong_with_each_held_premise(
    db_session, flat, manager, make_client, make_premise
):
    reserve(db_session, flat, make_client(), manager)
    instance = reservation_process(db_session)
    instance.status = ProcessStatus.cancelled  # ended without its compensation (older data)
    instance.error_message = "старая ошибка"
    orphan = make_premise(flat.building, number="36", price="9000000.00", total_area="45")
    taken = Reservation.take(  # a reservation written with no process at all
        orphan,
        make_client(),
        channel=Channel.offline,
        term=timedelta(days=3),
        manager_id=manager.id,
        now=utcnow(),
        paid=False,
        from_queue=False,
        api_key_id=None,
    )
    db_session.add(taken)
    db_session.commit()

    reasons = {h.premise_number: h.reason for h in consistency.held_without_process(db_session)}
    assert reasons == {
        "35": "процесс брони: «Отменён»",  # the error message is told only with «Ошибка»
        "36": "у брони нет процесса",
    }
