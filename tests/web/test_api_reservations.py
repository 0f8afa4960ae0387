"""API v1 online reservations: create, the client by phone, limits, read, cancel, errors."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from engine.clients.use_cases import CONSENT_TEXT_VERSION
from engine.core.tick import run_until_idle
from engine.sales import use_cases as reservations
from models.catalog.objects import Premise, PremiseStatus
from models.clients.client import Client, ConsentKind
from models.sales.reservation import Channel, Reservation, ReservationStatus
from models.users.user import Role
from tests.web.api_support import RESERVATIONS, bearer, counts, issue_key, order, post_reservation
from web.extensions import db


@pytest.fixture
def shop(app):
    return issue_key("shop")


@pytest.fixture
def other_shop(app):
    return issue_key("partner")


@pytest.fixture
def flats(make_building, make_premise):
    building = make_building()
    return [make_premise(building, number=str(n), price="10000000").id for n in range(1, 5)]


def reserve(http, shop, premise_id, idempotency_key=None, **client):
    body = order(premise_id, **client)
    return post_reservation(http, shop[1], body, idempotency_key or f"try-{premise_id}")


# ---------------------------------------------------------------- create


def test_the_online_store_reserves_a_free_premise(client, shop, flats):
    response = reserve(client, shop, flats[0], phone="8 (999) 123-45-67")

    assert response.status_code == 201
    body = response.json
    reservation = db.session.get(Reservation, body["id"])
    assert body == {
        "id": reservation.id,
        "status": "active",
        "premise_id": flats[0],
        "client_id": reservation.client_id,
        "expires_at": body["expires_at"],
    }
    assert datetime.fromisoformat(body["expires_at"]).utcoffset() is not None
    assert reservation.channel == Channel.online
    assert reservation.api_key_id == shop[0] and reservation.manager_id is None
    assert db.session.get(Premise, flats[0]).status == PremiseStatus.reserved
    buyer = db.session.get(Client, body["client_id"])
    assert buyer.phone == "+79991234567" and buyer.email == "anna@example.ru"
    [consent] = buyer.consents
    assert consent.kind == ConsentKind.personal_data
    assert (consent.channel, consent.text_version) == ("online", CONSENT_TEXT_VERSION)
    assert consent.taken_by_id is None


def test_a_phone_in_another_format_is_the_same_client(client, shop, flats):
    first = reserve(client, shop, flats[0], phone="8 (999) 123-45-67")
    # No email this time: the phone alone must find the card.
    second = reserve(client, shop, flats[1], phone="+79991234567", full_name="Анна", email=None)

    assert second.status_code == 201
    assert second.json["client_id"] == first.json["client_id"]
    assert counts()["client"] == 1


def test_a_reserved_premise_is_409_premise_unavailable_and_there_is_no_queue(client, shop, flats):
    reserve(client, shop, flats[0])
    before = counts()

    response = reserve(client, shop, flats[0], "second", phone="+79990000001")

    assert response.status_code == 409
    assert response.json["error"] == "premise_unavailable"
    assert response.json["message"]
    assert counts() == before | {"idempotency_record": before["idempotency_record"] + 1}


def test_the_third_active_reservation_of_a_client_is_409_client_limit_reached(client, shop, flats):
    reserve(client, shop, flats[0])
    reserve(client, shop, flats[1], phone="89991234567", email=None)
    before = counts()

    response = reserve(client, shop, flats[2], phone="+7 999 123-45-67", email=None)

    assert response.status_code == 409
    assert response.json["error"] == "client_limit_reached"
    assert response.json["message"] == "У клиента уже 2 активных брони — это предел"
    assert counts() == before | {"idempotency_record": before["idempotency_record"] + 1}
    assert db.session.get(Premise, flats[2]).status == PremiseStatus.available


def test_an_unknown_premise_is_404_and_writes_nothing(client, shop, flats):
    before = counts()

    response = reserve(client, shop, 9999)

    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert counts() == before | {"idempotency_record": 1}


def test_the_limit_counts_only_active_reservations(client, shop, flats):
    first = reserve(client, shop, flats[0])
    reserve(client, shop, flats[1])
    client.delete(f"{RESERVATIONS}/{first.json['id']}", headers=bearer(shop[1]))

    assert reserve(client, shop, flats[2]).status_code == 201


# ---------------------------------------------------------------- read


def test_the_store_reads_the_status_of_its_reservation(client, shop, flats):
    created = reserve(client, shop, flats[0]).json

    response = client.get(f"{RESERVATIONS}/{created['id']}", headers=bearer(shop[1]))

    assert response.status_code == 200
    assert response.json == created


def test_another_key_does_not_see_the_reservation(client, shop, other_shop, flats):
    created = reserve(client, shop, flats[0]).json

    response = client.get(f"{RESERVATIONS}/{created['id']}", headers=bearer(other_shop[1]))

    assert response.status_code == 404
    assert response.json["error"] == "not_found"
    assert client.get(f"{RESERVATIONS}/9999", headers=bearer(shop[1])).status_code == 404


def test_an_expired_reservation_reads_expired(client, clock, shop, flats):
    created = reserve(client, shop, flats[0]).json
    clock.advance(days=1, seconds=1)  # an online reservation holds for a day
    run_until_idle(db.session)

    response = client.get(f"{RESERVATIONS}/{created['id']}", headers=bearer(shop[1]))

    assert response.json["status"] == "expired"


def test_a_reservation_taken_into_a_deal_reads_converted(client, shop, flats, make_user):
    created = reserve(client, shop, flats[0]).json
    reservation = db.session.get(Reservation, created["id"])
    reservations.convert(db.session, reservation, make_user(Role.sales_manager))
    db.session.commit()

    response = client.get(f"{RESERVATIONS}/{created['id']}", headers=bearer(shop[1]))

    assert response.json["status"] == "converted"


# ---------------------------------------------------------------- cancel


def test_the_store_cancels_its_reservation_and_the_premise_is_free_again(client, shop, flats):
    created = reserve(client, shop, flats[0]).json

    response = client.delete(f"{RESERVATIONS}/{created['id']}", headers=bearer(shop[1]))

    assert response.status_code == 200
    assert response.json == created | {"status": "cancelled"}
    reservation = db.session.get(Reservation, created["id"])
    assert reservation.end_reason == "отменена в интернет-магазине"
    assert db.session.get(Premise, flats[0]).status == PremiseStatus.available


def test_the_store_cancels_its_paid_reservation_without_an_approval(client, shop, flats, make_user):
    created = reserve(client, shop, flats[0]).json
    reservation = db.session.get(Reservation, created["id"])
    reservations.pay(db.session, reservation, "50000", make_user(Role.sales_manager))
    db.session.commit()

    response = client.delete(f"{RESERVATIONS}/{created['id']}", headers=bearer(shop[1]))

    assert response.status_code == 200
    assert response.json["status"] == "cancelled"  # ONLINE_STORE may: the client paid there


def test_cancelling_an_ended_reservation_is_409_not_active(client, shop, flats):
    created = reserve(client, shop, flats[0]).json
    url = f"{RESERVATIONS}/{created['id']}"
    client.delete(url, headers=bearer(shop[1]))
    before = counts()

    response = client.delete(url, headers=bearer(shop[1]))

    assert response.status_code == 409
    assert response.json["error"] == "not_active"
    assert counts() == before


def test_another_key_cannot_cancel_the_reservation(client, shop, other_shop, flats):
    created = reserve(client, shop, flats[0]).json

    response = client.delete(f"{RESERVATIONS}/{created['id']}", headers=bearer(other_shop[1]))

    assert response.status_code == 404
    assert db.session.get(Reservation, created["id"]).status == ReservationStatus.active


def test_an_office_reservation_is_not_visible_to_the_store(
    client, shop, flats, make_user, make_client
):
    manager = make_user(Role.sales_manager)
    buyer = make_client("Офисный клиент", "+79995550000")
    office = reservations.reserve(
        db.session, flats[0], buyer, channel=Channel.offline, user=manager
    ).reservation
    db.session.commit()

    url = f"{RESERVATIONS}/{office.id}"
    assert client.get(url, headers=bearer(shop[1])).status_code == 404
    assert client.delete(url, headers=bearer(shop[1])).status_code == 404
    assert db.session.scalars(select(Reservation)).one().status == ReservationStatus.active
