"""The premise card names clients only to those who need them. Every role reading client cards
sees the reserving client and the queue; a lawyer, who reads no client cards, sees neither —
only, once the deal begins (оформление, then продано), the buyer the contract is made for."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.catalog.objects import PremiseStatus
from models.clients.personal_data import CLIENT_READERS
from models.sales.reservation import Reservation
from models.users.user import Role

RESERVING = {"phone": "+79161234567", "full_name": "Смирнова Ольга", "consent": "y"}
QUEUED = {"phone": "+79161110000", "full_name": "Кузнецов Пётр", "consent": "y"}


@pytest.fixture
def flat(make_building, make_premise):
    return make_premise(make_building(), number="15", price="9000000.00")


@pytest.fixture
def reserved_with_a_queue(client, login_as, db_session, flat):
    login_as(Role.sales_manager)
    assert client.post(f"/premises/{flat.id}/reserve", data=RESERVING).status_code == 302
    assert client.post(f"/premises/{flat.id}/queue", data=QUEUED).status_code == 302
    return flat


def premise_as(client, login_as, role, premise) -> str:
    login_as(role)
    response = client.get(f"/premises/{premise.id}")
    assert response.status_code == 200, role
    return response.get_data(as_text=True)


@pytest.mark.parametrize("role", sorted(CLIENT_READERS))
def test_those_who_read_client_cards_see_the_reserving_and_queued_clients(
    client, login_as, reserved_with_a_queue, role
):
    page = premise_as(client, login_as, role, reserved_with_a_queue)

    assert "Смирнова Ольга" in page and "Кузнецов Пётр" in page


def test_a_lawyer_sees_neither_the_reserving_client_nor_the_queue(
    client, login_as, reserved_with_a_queue
):
    page = premise_as(client, login_as, Role.lawyer, reserved_with_a_queue)

    assert 'data-testid="active-reservation"' in page and 'data-testid="queue"' in page
    assert "Смирнова Ольга" not in page and "Кузнецов Пётр" not in page
    assert "скрыто" in page
    assert 'href="/reservations/' not in page  # the reservation's page is not theirs either


def test_a_lawyer_sees_the_buyer_once_the_deal_begins_but_still_not_the_queue(
    client, login_as, db_session, reserved_with_a_queue
):
    reservation = db_session.scalars(select(Reservation)).one()
    login_as(Role.sales_manager)
    assert client.post(f"/reservations/{reservation.id}/convert").status_code == 302
    db_session.refresh(reserved_with_a_queue)
    assert reserved_with_a_queue.status == PremiseStatus.in_deal

    page = premise_as(client, login_as, Role.lawyer, reserved_with_a_queue)

    assert 'data-testid="buyer"' in page and "Смирнова Ольга" in page
    assert "Кузнецов Пётр" not in page
    manager_page = premise_as(client, login_as, Role.sales_manager, reserved_with_a_queue)
    assert 'data-testid="buyer"' in manager_page and "Смирнова Ольга" in manager_page


@pytest.mark.parametrize("role", sorted(Role))
def test_the_reservation_is_a_link_only_for_those_whose_page_opens(
    client, login_as, reserved_with_a_queue, role
):
    page = premise_as(client, login_as, role, reserved_with_a_queue)
    reservation = client.application.extensions["sqlalchemy"].session.scalar(select(Reservation))

    linked = f'href="/reservations/{reservation.id}"' in page
    opens = client.get(f"/reservations/{reservation.id}").status_code == 200

    assert linked == opens, role
