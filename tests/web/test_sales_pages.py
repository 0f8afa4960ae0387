"""The sales desk through HTTP: reserve from the premise card, queue, change a reservation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from models.catalog.objects import PremiseStatus
from models.clients.client import Client
from models.process.human_task import HumanTask, HumanTaskStatus
from models.sales.queue import QueueEntry
from models.sales.reservation import Reservation, ReservationStatus
from models.users.user import Role


@pytest.fixture
def building(make_building):
    return make_building()


@pytest.fixture
def flat(building, make_premise):
    return make_premise(building, number="15", price="9000000.00")


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


NEW_CLIENT = {"phone": "8 (916) 123-45-67", "full_name": "Смирнова Ольга", "consent": "y"}


def test_a_manager_reserves_a_premise_for_a_new_client(client, login_as, db_session, flat):
    login_as(Role.sales_manager)
    assert 'data-testid="reserve"' in client.get(f"/premises/{flat.id}").get_data(as_text=True)
    response = client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    reservation = db_session.scalars(select(Reservation)).one()
    assert response.headers["Location"].endswith(f"/reservations/{reservation.id}")
    assert reservation.client.phone == "+79161234567"
    assert reservation.client.has_consent()
    db_session.refresh(flat)
    assert flat.status == PremiseStatus.reserved

    card = client.get(f"/premises/{flat.id}").get_data(as_text=True)
    assert 'data-testid="active-reservation"' in card and "Смирнова Ольга" in card
    assert 'data-testid="enqueue"' in card
    listing = client.get("/reservations").get_data(as_text=True)
    assert "Смирнова Ольга" in listing


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**NEW_CLIENT, "consent": ""}, "согласие клиента на обработку персональных данных"),
        ({**NEW_CLIENT, "phone": "12"}, "не существует"),
        ({**NEW_CLIENT, "phone": "телефон"}, "не распознан"),
        ({**NEW_CLIENT, "full_name": ""}, "Укажите ФИО клиента"),
        ({**NEW_CLIENT, "email": "ivan@"}, "указан неверно"),
    ],
    ids=["no-consent", "short-phone", "text-phone", "no-name", "bad-email"],
)
def test_bad_client_data_is_refused_and_nothing_is_written(
    client, login_as, db_session, flat, data, message
):
    login_as(Role.sales_manager)
    response = client.post(f"/premises/{flat.id}/reserve", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert count(db_session, Reservation) == 0
    assert count(db_session, Client) == 0
    db_session.refresh(flat)
    assert flat.status == PremiseStatus.available


def test_a_reserved_premise_offers_the_queue_and_the_chessboard_counts_it(
    client, login_as, db_session, flat, building
):
    login_as(Role.sales_manager)
    client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    again = client.post(
        f"/premises/{flat.id}/reserve",
        data={"phone": "+79161110000", "full_name": "Другой", "consent": "y"},
    )
    assert "уже не свободно" in again.get_data(as_text=True)
    queued = client.post(
        f"/premises/{flat.id}/queue",
        data={"phone": "+79161110000", "full_name": "Другой", "consent": "y"},
    )
    assert queued.status_code == 302
    assert count(db_session, QueueEntry) == 1
    card = client.get(f"/premises/{flat.id}").get_data(as_text=True)
    assert 'data-testid="queue"' in card and "Другой" in card
    board = client.get(f"/buildings/{building.id}/chessboard").get_data(as_text=True)
    assert 'data-testid="queue-count">+1<' in board


def test_extend_pay_and_cancel_from_the_reservation_card(client, login_as, db_session, flat):
    login_as(Role.sales_manager)
    client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    reservation = db_session.scalars(select(Reservation)).one()
    until = (reservation.expires_at + timedelta(days=1)).astimezone()
    bad = client.post(f"/reservations/{reservation.id}/extend", data={"until": "завтра"})
    assert bad.status_code == 422
    assert "дд.мм.гггг чч:мм" in bad.get_data(as_text=True)

    local = reservation.expires_at + timedelta(days=1, hours=3)  # Moscow is UTC+3
    ok = client.post(
        f"/reservations/{reservation.id}/extend", data={"until": local.strftime("%d.%m.%Y %H:%M")}
    )
    assert ok.status_code == 302
    db_session.refresh(reservation)
    assert reservation.expires_at.replace(second=0, microsecond=0) == (
        until.astimezone(reservation.expires_at.tzinfo).replace(second=0, microsecond=0)
    )

    client.post(f"/reservations/{reservation.id}/pay", data={"fee": "75 000"})
    db_session.refresh(reservation)
    assert reservation.is_paid
    db_session.refresh(flat)
    assert flat.status == PremiseStatus.paid_reservation
    card = client.get(f"/reservations/{reservation.id}").get_data(as_text=True)
    assert "Запросить снятие (согласование)" in card  # Reservation.can_cancel_alone says no

    client.post(f"/reservations/{reservation.id}/cancel", data={"reason": "передумал"})
    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.active  # paid: the head of sales decides
    open_tasks = db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open)
    ).all()
    assert [t.task_name for t in open_tasks] == ["approve_change"]


def test_the_head_of_sales_cancels_a_paid_reservation_at_once(client, login_as, db_session, flat):
    login_as(Role.sales_manager)
    client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    reservation = db_session.scalars(select(Reservation)).one()
    client.post(f"/reservations/{reservation.id}/pay", data={"fee": "75 000"})
    login_as(Role.head_of_sales)

    card = client.get(f"/reservations/{reservation.id}").get_data(as_text=True)
    assert "Снять бронь" in card and "Запросить снятие" not in card
    client.post(f"/reservations/{reservation.id}/cancel", data={"reason": "по решению"})

    db_session.refresh(reservation)
    assert reservation.status == ReservationStatus.cancelled


def test_a_reader_cannot_change_a_reservation(client, login_as, db_session, flat):
    login_as(Role.sales_manager)
    client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    reservation = db_session.scalars(select(Reservation)).one()
    login_as(Role.mortgage_broker)
    assert client.get(f"/reservations/{reservation.id}").status_code == 200
    assert client.post(f"/reservations/{reservation.id}/cancel").status_code == 403


def test_the_client_card_finds_by_phone_and_reserves(client, login_as, db_session, flat, building):
    login_as(Role.sales_manager)
    client.post(f"/premises/{flat.id}/reserve", data=NEW_CLIENT)
    found = client.get("/clients?q=+7 916 123 45 67").get_data(as_text=True)
    assert "Смирнова Ольга" in found
    person = db_session.scalars(select(Client)).one()
    other = db_session.scalars(select(Reservation.premise_id)).one()
    assert other == flat.id
    response = client.post(
        f"/clients/{person.id}/reserve", data={"building_id": building.id, "number": "нет такого"}
    )
    assert response.status_code == 302
    card = client.get(f"/clients/{person.id}").get_data(as_text=True)
    assert "не найдено" in card
