"""The reservation process's service actions called as the engine calls them (by name, with an
ActionContext): the deadlines they hand to the BPMN timers, the terms and limits they apply, what
they tell people, and how they refuse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, text

from engine.core import actions
from engine.core.actions import ActionContext, ActionError
from engine.sales import use_cases as reservations
from models.catalog.objects import PremiseStatus
from models.crm.history import Interaction
from models.db.clock import run_freely
from models.notifications.in_app import Notification
from models.notifications.outbox import MessageChannel, OutboundMessage
from models.sales.queue import QueueEntry, QueueStatus
from models.sales.reservation import Channel, Reservation, ReservationStatus
from models.settings.store import set_setting
from models.users.user import Role
from tests.time_support import StoppedClock
from web.extensions import db

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def stopped():
    clock = StoppedClock(NOW)
    yield clock
    run_freely()


@pytest.fixture
def building(make_project, make_building):
    return make_building(make_project(name="Северный парк"), name="Корпус 2")


@pytest.fixture
def flat(building, make_premise):
    return make_premise(building, number="101", price="10500000.00")


def run(name: str, **params):
    """The action `name` as the engine runs it; returns its result."""
    return actions.call(name, ActionContext(db.session, None, None), params)


def reserve(premise, client, *, channel="offline", paid=False, manager=None, approved=False):
    return run(
        "reserve_premise",
        premise_id=premise.id,
        client_id=client.id,
        channel=channel,
        paid=paid,
        manager_id=manager.id if manager else None,
        limit_approved=approved,
        from_queue=False,
        api_key_id=None,
    )


def refusal(name: str, **params) -> tuple[str, str]:
    with pytest.raises(ActionError) as refused:
        run(name, **params)
    return refused.value.code, refused.value.message


# ------------------------------------------------------------------ deadlines for the timers


def test_an_office_reservation_gives_the_process_its_deadline_reminder_and_confirmation_time(
    stopped, flat, manager, make_client
):
    result = reserve(flat, make_client(), manager=manager)

    made = db.session.get(Reservation, result["reservation_id"])
    assert made.premise_id == flat.id and made.is_active
    assert result == {
        "reservation_id": made.id,
        "expires_at": (NOW + timedelta(days=3)).isoformat(),  # the office term
        "remind_at": (NOW + timedelta(days=3, hours=-12)).isoformat(),  # 12 h before the end
        "confirm_by": (NOW + timedelta(days=1)).isoformat(),  # the queue's acceptance window
        "paid": False,
    }


def test_a_reminder_due_before_the_reservation_starts_is_sent_at_its_start(
    stopped, flat, make_client
):
    set_setting(db.session, "reservation.reminder_before", "P2D")

    result = reserve(flat, make_client(), channel="online")  # held one day

    assert result["expires_at"] == (NOW + timedelta(days=1)).isoformat()
    assert result["remind_at"] == NOW.isoformat()


def test_the_terms_of_a_project_and_channel_decide_how_long_a_reservation_holds(
    stopped, building, make_premise, make_building, manager, make_client
):
    project = building.project
    set_setting(db.session, "reservation.term.paid", "P20D", project_id=project.id)
    set_setting(db.session, "reservation.term.online", "PT6H", project_id=project.id)
    paid_flat, online_flat = make_premise(building, "1"), make_premise(building, "2")
    elsewhere = make_premise(make_building(name="Другой проект"), "3")

    paid = reserve(paid_flat, make_client(), paid=True, manager=manager)
    online = reserve(online_flat, make_client(), channel="online")
    default = reserve(elsewhere, make_client(), channel="online")

    assert paid["expires_at"] == (NOW + timedelta(days=20)).isoformat()
    assert paid["paid"] is True
    assert paid_flat.status == PremiseStatus.paid_reservation
    assert online["expires_at"] == (NOW + timedelta(hours=6)).isoformat()
    assert default["expires_at"] == (NOW + timedelta(days=1)).isoformat()


# ------------------------------------------------------------------ the client's limit


def test_the_limit_counts_only_the_clients_own_active_reservations(
    stopped, building, make_premise, manager, make_client
):
    set_setting(db.session, "reservation.max_per_client", "1")
    buyer, neighbour = make_client("Покупатель"), make_client("Сосед")
    first, second, third = (make_premise(building, str(n)) for n in (1, 2, 3))
    reserve(first, neighbour, manager=manager)  # someone else's: not counted
    ended = reserve(second, buyer, manager=manager)
    run(
        "end_reservation",
        reservation_id=ended["reservation_id"],
        status="expired",
        reason="",
        user_id=None,
    )  # ended: not counted

    made = reserve(third, buyer, manager=manager)

    assert db.session.get(Reservation, made["reservation_id"]).client_id == buyer.id


def test_over_the_limit_the_action_refuses_unless_the_head_of_sales_approved(
    stopped, building, make_premise, manager, make_client
):
    set_setting(db.session, "reservation.max_per_client", "1")
    buyer = make_client()
    first, second = make_premise(building, "1"), make_premise(building, "2")
    reserve(first, buyer, manager=manager)

    with pytest.raises(ActionError) as refused:
        reserve(second, buyer, manager=manager)
    assert refused.value.code == "client_limit_reached"
    assert refused.value.message == (
        "У клиента уже 1 активных брони — это предел; можно запросить согласование руководителя"
    )
    assert second.status == PremiseStatus.available

    approved = reserve(second, buyer, manager=manager, approved=True)
    assert db.session.get(Reservation, approved["reservation_id"]).premise_id == second.id


# ------------------------------------------------------------------ refusals


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("confirm_reservation", {"user_id": None}),
        ("remind_manager", {}),
        ("end_reservation", {"status": "cancelled", "reason": "", "user_id": None}),
    ],
)
def test_an_action_on_a_reservation_that_does_not_exist_is_refused_with_its_number(
    app, name, params
):
    assert refusal(name, reservation_id=999, **params) == (
        "reservation_missing",
        "Бронь 999 не найдена",
    )


def test_a_reservation_ended_by_another_transaction_meanwhile_is_not_ended_again(
    stopped, flat, manager, make_client
):
    made = reserve(flat, make_client(), manager=manager)
    reservation = db.session.get(Reservation, made["reservation_id"])
    assert reservation.is_active  # as this session last read it
    # Another transaction converted it (the row as it is once locked says so).
    db.session.connection().execute(
        text("UPDATE reservation SET status = 'converted' WHERE id = :id"), {"id": reservation.id}
    )

    result = run(
        "end_reservation", reservation_id=reservation.id, status="expired", reason="", user_id=None
    )

    assert result == {"status": "converted"}
    assert reservation.status == ReservationStatus.converted
    assert flat.status == PremiseStatus.reserved  # not freed by a second ending


# ------------------------------------------------------------------ what people are told


def test_a_reservation_tells_the_manager_and_the_client_its_end_in_the_buildings_time_zone(
    stopped, make_project, make_building, make_premise, make_user, make_client
):
    building = make_building(
        make_project(name="Уральский квартал"), name="Корпус 5", time_zone="Asia/Yekaterinburg"
    )
    flat = make_premise(building, number="101", price="10500000.00")
    manager = make_user(Role.sales_manager, email="manager@developer.ru", full_name="Петрова Анна")
    buyer = make_client(
        "Клиентова Мария", phone="+79991234567", email="client@buyer.ru", manager_id=manager.id
    )

    made = reserve(flat, buyer, manager=manager)

    # Three days from 12:00 UTC, in Yekaterinburg (UTC+5).
    [notice] = db.session.scalars(select(Notification).where(Notification.user_id == manager.id))
    assert notice.text == "Бронь поставлена: № 101, Клиентова Мария, до 04.06.2026 17:00"
    assert notice.link == f"/reservations/{made['reservation_id']}"
    [line] = db.session.scalars(select(Interaction).where(Interaction.client_id == buyer.id))
    assert line.summary == "Поставлена бронь: помещение № 101 до 04.06.2026 17:00"
    letters = {
        m.to_address: m
        for m in db.session.scalars(
            select(OutboundMessage).where(OutboundMessage.channel == MessageChannel.email)
        )
    }
    to_manager = letters["manager@developer.ru"].body
    assert "Помещение № 101 (Уральский квартал, Корпус 5)" in to_manager
    assert "Цена зафиксирована: 10\u00a0500\u00a0000,00\u00a0₽." in to_manager
    to_client = letters["client@buyer.ru"].body
    assert "Бронь действует до 04.06.2026 17:00." in to_client
    assert "Ваш менеджер: Петрова Анна." in to_client


@pytest.mark.parametrize(
    ("card_led_by", "named"),
    [("Петрова Анна", "Ваш менеджер: Петрова Анна."), (None, "Ваш менеджер: отдел продаж")],
)
def test_an_online_booking_letter_names_the_cards_manager_or_the_department(
    stopped, flat, make_user, make_client, card_led_by, named
):
    manager = card_led_by and make_user(Role.sales_manager, full_name=card_led_by)
    buyer = make_client(email="online@buyer.ru", manager_id=manager.id if manager else None)

    reserve(flat, buyer, channel="online")  # nobody leads the reservation itself

    [letter] = db.session.scalars(
        select(OutboundMessage.body).where(OutboundMessage.to_address == "online@buyer.ru")
    ).all()
    assert named in letter
    assert "Ваш менеджер: ." not in letter


def test_an_edited_template_may_name_the_reservations_number(stopped, flat, make_user, make_client):
    from engine.notifications.templates import save

    save(
        db.session,
        ("reservation_made", "staff", "in_app"),
        subject="",
        body="Бронь {reservation_id}: № {premise_number}",
        user_id=None,
    )
    manager = make_user(Role.sales_manager)

    made = reserve(flat, make_client(), manager=manager)

    assert db.session.scalars(
        select(Notification.text).where(Notification.user_id == manager.id)
    ).all() == [f"Бронь {made['reservation_id']}: № 101"]


# ------------------------------------------------------------------ the queue's head


def test_a_freed_premise_goes_to_the_head_of_its_own_queue_as_the_head_of_sales_ordered_it(
    stopped, building, make_premise, manager, head, make_client
):
    other, flat = make_premise(building, "1"), make_premise(building, "2")
    for premise in (other, flat):
        reserve(premise, make_client(f"Держатель {premise.number}"), manager=manager)
    reservations.enqueue(db.session, other.id, make_client("Чужая очередь"), manager)
    first = reservations.enqueue(db.session, flat.id, make_client("Первый"), manager)
    second = reservations.enqueue(db.session, flat.id, make_client("Второй"), manager)
    reservations.move_in_queue(db.session, second, -1, head)  # now first in line

    result = run("promote_queue", premise_id=flat.id)

    assert result == {"promoted": second.id}
    assert second.status == QueueStatus.promoted
    assert first.status == QueueStatus.waiting
    assert db.session.scalars(
        select(QueueEntry.status).where(QueueEntry.premise_id == other.id)
    ).all() == [QueueStatus.waiting]


def test_a_freed_premise_without_a_queue_promotes_nobody(stopped, building, make_premise):
    assert run("promote_queue", premise_id=make_premise(building, "1").id) == {"promoted": None}


def test_an_online_reservation_names_no_manager_and_uses_the_online_channel(
    stopped, flat, make_client
):
    made = reserve(flat, make_client(), channel="online")

    reservation = db.session.get(Reservation, made["reservation_id"])
    assert reservation.channel == Channel.online
    assert reservation.manager_id is None
    assert made["expires_at"] == (NOW + timedelta(days=1)).isoformat()
