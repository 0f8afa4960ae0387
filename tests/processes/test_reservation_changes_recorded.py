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
from models.process.instance import ProcessInstance
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
    assert task.title == (
        "Бронь на квартиру № 12 (Иванов): снять оплаченную бронь — клиент передумал"
    )

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


def test_a_paid_reservation_cannot_be_sent_for_cancellation_without_a_reason(
    db_session, reservation, manager
):
    reservations.pay(db_session, reservation, Decimal("50000"), manager)
    db_session.commit()
    for reason in ("", "   "):
        with pytest.raises(ReservationError) as refused:
            reservations.cancel(db_session, reservation, reason, manager)
        assert (refused.value.field, refused.value.message) == (
            "reason",
            "Укажите причину снятия брони",
        )
    asked = db_session.scalars(
        select(ProcessInstance).where(ProcessInstance.process_id == "reservation_change")
    ).all()
    assert asked == []


def test_an_extension_request_names_the_new_term_in_the_projects_zone(
    db_session, reservation, manager
):
    until = (reservation.starts_at + timedelta(days=40)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    outcome = reservations.extend(db_session, reservation, until, manager)
    db_session.commit()
    task = approval_of(db_session, outcome.instance)
    moscow = until + timedelta(hours=3)  # the project's zone, as every time the product shows
    assert task.title == (
        f"Бронь на квартиру № 12 (Иванов): продлить до {moscow:%d.%m.%Y} 12:30 "
        "(сверх максимального срока)"
    )


def test_an_extension_beyond_the_limit_no_approval_passes_is_refused_at_the_field(
    db_session, reservation, manager, head
):
    for user, until in (
        (manager, datetime(9999, 1, 1, tzinfo=UTC)),
        (head, reservation.starts_at + timedelta(days=90, minutes=1)),
    ):
        with pytest.raises(ReservationError) as refused:
            reservations.extend(db_session, reservation, until, user)
        assert refused.value.field == "until"
        assert refused.value.message == (
            "Бронь нельзя продлить больше чем на 90 дн. от её начала: "
            "это предельный срок, даже с согласованием руководителя"
        )
    asked = db_session.scalars(
        select(ProcessInstance).where(ProcessInstance.process_id == "reservation_change")
    ).all()
    assert asked == []


def test_the_head_sees_the_reservations_terms_beside_the_request(db_session, reservation, manager):
    reservations.pay(db_session, reservation, Decimal("50000"), manager)
    outcome = reservations.cancel(db_session, reservation, "клиент передумал", manager)
    db_session.commit()
    task = approval_of(db_session, outcome.instance)
    moscow = reservation.expires_at + timedelta(hours=3)
    assert task.details.splitlines() == [
        f"Клиент: Иванов. Бронь действует до {moscow:%d.%m.%Y %H:%M}, оплачена "
        "(50\u00a0000,00 ₽); цена зафиксирована: 10\u00a0000\u00a0000,00 ₽.",
        "Менеджер просит: снять оплаченную бронь — клиент передумал.",
    ]
