"""Client pages over HTTP: merging cards, search from every page in any format, and who sees
a person's documents."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models.clients.client import Client
from models.users.user import Role
from tests.client_support import PERSON, written


def test_the_head_of_sales_merges_two_cards_and_the_old_link_leads_to_the_kept_one(
    client, login_as, db_session, make_client
):
    keep = make_client("Смирнова Ольга", "+79161234567")
    drop = make_client("Смирнова О.", "+79035556677")
    login_as(Role.head_of_sales)
    page = client.get(f"/clients/{keep.id}/merge?other={drop.id}")
    assert page.status_code == 200 and "Смирнова О." in page.get_data(as_text=True)

    response = client.post(
        f"/clients/{keep.id}/merge", data={"other_id": str(drop.id), "keep": "this"}
    )

    assert response.headers["Location"].endswith(f"/clients/{keep.id}")
    old = client.get(f"/clients/{drop.id}")
    assert old.status_code == 302 and old.headers["Location"].endswith(f"/clients/{keep.id}")
    assert "Смирнова О." not in client.get("/clients?q=Смирнова").get_data(as_text=True)
    db_session.refresh(keep)
    assert {p.phone for p in keep.phones} == {"+79161234567", "+79035556677"}


def test_merging_a_card_with_itself_shows_a_message_and_writes_nothing(
    client, login_as, db_session, make_client
):
    buyer = make_client("Смирнова Ольга", "+79161234567")
    login_as(Role.head_of_sales)
    before = written(db_session)

    response = client.post(
        f"/clients/{buyer.id}/merge", data={"other_id": str(buyer.id), "keep": "this"}
    )

    assert response.status_code == 422
    assert "Нельзя объединить карточку саму с собой" in response.get_data(as_text=True)
    assert written(db_session) == before
    db_session.refresh(buyer)
    assert buyer.merged_into_id is None


def test_a_sales_manager_cannot_merge(client, login_as, db_session, make_client):
    keep, drop = make_client("Смирнова Ольга"), make_client("Смирнова Ольга", "+79035556677")
    login_as(Role.sales_manager)

    response = client.post(f"/clients/{keep.id}/merge", data={"other_id": str(drop.id)})

    assert response.status_code == 403
    db_session.refresh(drop)
    assert drop.merged_into_id is None


@pytest.mark.parametrize(
    "typed", ["8 916 123-45-67", "+7 (916) 1234567", "4567", "смирнова", "olga@mail.ru"]
)
def test_the_search_finds_a_client_typed_in_any_format(
    client, login_as, db_session, make_client, typed
):
    buyer = make_client("Смирнова Ольга", "+79161234567", "olga@mail.ru")
    make_client("Иванов Иван", "+79035550011")
    login_as(Role.mortgage_broker)

    html = client.get("/clients", query_string={"q": typed}).get_data(as_text=True)

    assert f'href="/clients/{buyer.id}"' in html
    assert "Иванов Иван" not in html


def test_the_search_box_is_on_every_page_for_those_who_read_clients(client, login_as):
    login_as(Role.marketer)
    assert 'data-testid="client-search"' in client.get("/projects").get_data(as_text=True)
    login_as(Role.lawyer)
    assert 'data-testid="client-search"' not in client.get("/projects").get_data(as_text=True)


def test_analysts_and_marketers_do_not_see_a_persons_documents(client, login_as, db_session):
    login_as(Role.sales_manager)
    client.post("/clients/new", data=PERSON)
    buyer = db_session.scalars(select(Client)).one()

    for role, sees in (
        (Role.marketer, False),
        (Role.analyst, False),
        (Role.mortgage_broker, True),
        (Role.head_of_sales, True),
    ):
        login_as(role)
        card = client.get(f"/clients/{buyer.id}").get_data(as_text=True)
        assert ("123456" in card) is sees, role
        assert ("500100732259" in card) is sees, role
        assert "Циан" in card  # the lead source is for everyone who reads cards
        found = client.get("/clients?q=500100732259").get_data(as_text=True)
        assert (f'href="/clients/{buyer.id}"' in found) is sees, role
