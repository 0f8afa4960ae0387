"""Changes to a reservation through the use cases and the process: the project's own maximum term,
the head of sales' right to go beyond it, and the history line with its author."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from engine.core import runtime
from engine.sales import use_cases as reservations
from models.process.human_task import HumanTask, HumanTaskStatus
from models.sales.reservation import Channel, ReservationError, ReservationStatus
from models.settings.store import set_setting


@pytest.fixture
def building(make_building):
    return make_building()


@pytest.fixture
def reservation(db_session, building, make_premise, make_client, manager):
    premise = make_premise(building, number="12")
    made = reservations.reserve(
        db_session, premise.id, make_client("Иванов"), channel=Channel.offline, user=manager
    ).reservation
    db_session.commit()
    return made


def line(reservation, kind):
    [found] = [e for e in reservation.events if e.kind == kind]
    return found


def test_a_manager_extends_alone_within_the_projects_own_maximum(
    db_session, building, reservation, manager
):
    set_setting(db_session, "reservation.max_term", "P60D", project_id=building.project_id)
    db_session.commit()
    old = reservation.expires_at
    until = reservation.starts_at + timedelta(days=45)  # beyond the global 30 days

    outcome = reservations.extend(db_session, reservation, until, manager)
    db_session.commit()
    db_session.refresh(reservation)

    assert (outcome.reservation, outcome.approval_requested) == (reservation, False)
    assert reservation.expires_at == until
    extended = line(reservation, "extended")
    assert extended.user_id == manager.id
    assert extended.data == {"from": old.isoformat(), "to": until.isoformat()}


def test_the_head_of_sales_extends_beyond_the_maximum_without_asking(db_session, reservation, head):
    until = reservation.starts_at + timedelta(days=31)

    outcome = reservations.extend(db_session, reservation, until, head)
    db_session.commit()
    db_session.refresh(reservation)

    assert (outcome.reservation, outcome.approval_requested) == (reservation, False)
    assert reservation.expires_at == until
    assert line(reservation, "extended").user_id == head.id


def test_a_manager_beyond_the_maximum_asks_the_head_of_sales(db_session, reservation, manager):
    expires_at = reservation.expires_at

    outcome = reservations.extend(
        db_session, reservation, reservation.starts_at + timedelta(days=31), manager
    )
    db_session.commit()

    assert outcome.approval_requested and outcome.instance is not None
    assert outcome.instance.started_by_id == manager.id
    db_session.refresh(reservation)
    assert reservation.expires_at == expires_at


def test_a_conversion_ends_the_reservation_in_the_name_of_its_author(
    db_session, reservation, manager
):
    outcome = reservations.convert(db_session, reservation, manager)
    db_session.commit()
    db_session.refresh(reservation)

    assert outcome.reservation is reservation
    assert reservation.status == ReservationStatus.converted
    assert line(reservation, "converted").user_id == manager.id


def approval_of(db_session, instance):
    return db_session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
        )
    ).one()


def test_cancelling_a_paid_reservation_asks_the_head_once_with_the_reason(
    db_session, reservation, manager, head
):
    reservations.pay(db_session, reservation, Decimal("50000"), manager)
    db_session.commit()

    outcome = reservations.cancel(db_session, reservation, "клиент передумал", manager)
    db_session.commit()

    assert outcome.approval_requested and outcome.reservation is reservation
    instance = outcome.instance
    assert instance.business_keys == {
        "reservation_id": reservation.id,
        "premise_id": reservation.premise_id,
    }
    assert instance.started_by_id == manager.id
    task = approval_of(db_session, instance)
    assert task.title == "Бронь № 12 (Иванов): снять оплаченную бронь — клиент передумал"

    with pytest.raises(ReservationError) as refused:
        reservations.cancel(db_session, reservation, "ещё раз", manager)
    assert (refused.value.code, refused.value.message) == (
        "already_requested",
        "Согласование по этой брони уже запрошено",
    )
    db_session.rollback()

    runtime.complete(db_session, task.id, head, {"decision": "approve"})
    db_session.commit()
    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.cancelled
    assert line(reservation, "cancelled").data == {"reason": "клиент передумал"}


def test_a_request_without_a_reason_says_so(db_session, reservation, manager):
    reservations.pay(db_session, reservation, Decimal("50000"), manager)
    outcome = reservations.cancel(db_session, reservation, "", manager)
    db_session.commit()
    task = approval_of(db_session, outcome.instance)
    assert task.title == "Бронь № 12 (Иванов): снять оплаченную бронь — без причины"


def test_an_extension_request_names_the_new_term(db_session, reservation, manager):
    until = datetime(2030, 1, 15, 9, 30, tzinfo=UTC)
    outcome = reservations.extend(db_session, reservation, until, manager)
    db_session.commit()
    task = approval_of(db_session, outcome.instance)
    assert task.title == (
        "Бронь № 12 (Иванов): продлить до 15.01.2030 09:30 UTC (сверх максимального срока)"
    )
