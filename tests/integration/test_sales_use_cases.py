"""engine/sales/use_cases.py seen from its callers (the office pages and the online API): what a
reservation started, how a premise that does not exist is refused, what the head of sales is
asked, and the queue's order."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.sales import use_cases as reservations
from models.db.errors import NotFound
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessStatus
from models.sales.reservation import Channel, Reservation, ReservationStatus
from models.settings.store import set_setting
from models.users.user import Role
from tests.factories import users
from web.extensions import db


@pytest.fixture
def building(make_project, make_building):
    return make_building(make_project(name="Северный парк"))


def open_tasks() -> list[HumanTask]:
    return db.session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open).order_by(HumanTask.id)
    ).all()


def test_a_premise_that_does_not_exist_is_neither_reserved_nor_queued_for(
    db_session, manager, make_client
):
    client = make_client()
    with pytest.raises(NotFound, match="^Помещение не найдено$"):
        reservations.reserve(db_session, 999, client, channel=Channel.offline, user=manager)
    with pytest.raises(NotFound, match="^Помещение не найдено$"):
        reservations.enqueue(db_session, 999, client, manager)


def test_an_office_reservation_names_its_manager_and_its_process(
    db_session, building, make_premise, manager, make_client
):
    flat = make_premise(building, number="101")
    client = make_client("Клиентова Мария")

    outcome = reservations.reserve(
        db_session, flat.id, client, channel=Channel.offline, user=manager
    )

    made = outcome.reservation
    assert (made.premise_id, made.client_id, made.manager_id) == (flat.id, client.id, manager.id)
    assert (made.channel, made.status, made.is_paid) == (
        Channel.offline,
        ReservationStatus.active,
        False,
    )
    assert not made.from_queue
    assert not outcome.approval_requested
    instance = outcome.instance
    assert instance.status == ProcessStatus.waiting
    assert instance.title == "Бронирование помещения: № 101, Клиентова Мария"
    assert instance.business_keys == {
        "premise_id": flat.id,
        "client_id": client.id,
        "reservation_id": made.id,
    }


def test_a_paid_reservation_asked_for_at_the_office_is_paid(
    db_session, building, make_premise, manager, make_client
):
    flat = make_premise(building, number="7")
    outcome = reservations.reserve(
        db_session, flat.id, make_client(), channel=Channel.offline, user=manager, paid=True
    )
    assert outcome.reservation.is_paid


def test_an_online_booking_records_the_stores_key_and_no_manager(
    db_session, building, make_premise
):
    flat = make_premise(building, number="12")
    key, _ = users.api_key(db_session, "shop")

    outcome = reservations.book(
        db_session,
        flat.id,
        full_name="Покупатель Онлайн",
        phone="+79990001122",
        email="buyer@example.ru",
        api_key_id=key.id,
    )

    made = outcome.reservation
    assert (made.channel, made.api_key_id, made.manager_id) == (Channel.online, key.id, None)
    assert made.client.full_name == "Покупатель Онлайн"
    assert outcome.instance.business_keys["client_id"] == made.client_id


def test_over_the_limit_the_head_of_sales_is_asked_about_this_client_and_premise(
    db_session, building, make_premise, manager, make_client
):
    set_setting(db_session, "reservation.max_per_client", "1")
    client = make_client("Петров Пётр")
    first, second = make_premise(building, number="1"), make_premise(building, number="2")
    reservations.reserve(db_session, first.id, client, channel=Channel.offline, user=manager)

    outcome = reservations.reserve(
        db_session,
        second.id,
        client,
        channel=Channel.offline,
        user=manager,
        request_approval=True,
    )

    assert outcome.approval_requested and outcome.reservation is None
    assert outcome.instance.business_keys == {"premise_id": second.id, "client_id": client.id}
    [approval] = open_tasks()
    assert approval.role == Role.head_of_sales
    assert approval.title == "Бронь сверх лимита: клиент Петров Пётр, помещение № 2"
    assert db_session.scalars(
        select(Reservation.premise_id).where(Reservation.client_id == client.id)
    ).all() == [first.id]


def test_the_queue_is_listed_in_its_order_after_a_move(
    db_session, building, make_premise, manager, head, make_client
):
    flat, other = make_premise(building, number="1"), make_premise(building, number="2")
    for premise in (flat, other):
        reservations.reserve(
            db_session,
            premise.id,
            make_client(f"Держатель {premise.number}"),
            channel=Channel.offline,
            user=manager,
        )
    a, b, c = (
        reservations.enqueue(db_session, flat.id, make_client(name), manager)
        for name in ("А", "Б", "В")
    )
    reservations.enqueue(db_session, other.id, make_client("Г"), manager)
    reservations.move_in_queue(db_session, c, -1, head)
    reservations.remove_from_queue(db_session, a, manager)

    assert reservations.waiting_entries(db_session, flat.id) == [c, b]
    assert [(e.position, e.manager_id) for e in (c, b)] == [(2, manager.id), (3, manager.id)]
