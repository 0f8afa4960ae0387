"""A sales manager reserves and queues only for their own clients and for those nobody leads
yet: a client another manager leads is theirs (the client card's rule). Management serves any
client. Before this, a manager typing a colleague's client's phone took the client over."""

from __future__ import annotations

import pytest
from lxml import html
from sqlalchemy import func, select

from engine.sales.use_cases import enqueue, reserve
from models.sales.queue import QueueEntry
from models.sales.reservation import Channel, NotYourClient, Reservation
from models.users.user import Role
from web.extensions import db

PHONE = "+79163334455"


@pytest.fixture
def colleague(make_user):
    return make_user(Role.sales_manager, email="colleague@test.local", full_name="Орлова Анна")


@pytest.fixture
def their_client(make_client, colleague):
    return make_client(name="Волков Игорь", phone=PHONE, manager_id=colleague.id)


@pytest.fixture
def flat(make_building, make_premise):
    return make_premise(make_building(), number="21", price="8000000.00")


def form(full_name: str = "Волков Игорь") -> dict:
    return {"phone": PHONE, "full_name": full_name, "consent": "y"}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def phone_error(page: bytes) -> str:
    tree = html.fromstring(page)
    found = tree.xpath('//*[@name="phone"]/ancestor::div[contains(@class, "mb-3")][1]')
    return " ".join(found[0].text_content().split()) if found else ""


def test_a_manager_cannot_reserve_for_a_colleagues_client(client, login_as, their_client, flat):
    login_as(Role.sales_manager)

    answer = client.post(f"/premises/{flat.id}/reserve", data=form())

    assert answer.status_code == 200  # the form again, the refusal at its field
    assert "Клиента «Волков Игорь» ведёт Орлова Анна" in phone_error(answer.data)
    assert answer.get_data(as_text=True).count('value="+7') == 1  # the phone typed comes back
    assert count(Reservation) == 0
    assert their_client.manager_id != db.session.scalar(select(Reservation.manager_id))


def test_a_manager_cannot_queue_a_colleagues_client(
    client, login_as, their_client, flat, make_client
):
    login_as(Role.head_of_sales)
    other = {"phone": "+79160001122", "full_name": "Первый Клиент", "consent": "y"}
    assert client.post(f"/premises/{flat.id}/reserve", data=other).status_code == 302
    login_as(Role.sales_manager)

    answer = client.post(f"/premises/{flat.id}/queue", data=form())

    assert answer.status_code == 200  # the form again, the refusal at its field
    assert "ведёт Орлова Анна" in phone_error(answer.data)
    assert count(QueueEntry) == 0


@pytest.mark.parametrize("role", [Role.head_of_sales, Role.admin])
def test_management_reserves_for_any_client(client, login_as, their_client, flat, role):
    login_as(role)

    assert client.post(f"/premises/{flat.id}/reserve", data=form()).status_code == 302
    assert db.session.scalar(select(Reservation.client_id)) == their_client.id


def test_the_clients_own_manager_reserves(client, their_client, colleague, flat):
    with client.session_transaction() as session:
        session["_user_id"] = colleague.get_id()
    db.session.commit()

    assert client.post(f"/premises/{flat.id}/reserve", data=form()).status_code == 302


def test_a_client_nobody_leads_is_anyones(client, login_as, make_client, flat):
    make_client(name="Ничей Клиент", phone=PHONE, manager_id=None)
    login_as(Role.sales_manager)

    assert client.post(f"/premises/{flat.id}/reserve", data=form("Ничей Клиент")).status_code == 302


def test_the_rule_holds_below_the_web(app, their_client, flat, manager):
    with pytest.raises(NotYourClient):
        reserve(db.session, flat.id, their_client, channel=Channel.offline, user=manager)
    with pytest.raises(NotYourClient):
        enqueue(db.session, flat.id, their_client, manager)
