"""API v1: Idempotency-Key on POST and validation of the reservation body (nothing written)."""

from __future__ import annotations

import pytest

from models.users.api_key import IdempotencyRecord
from tests.web.api_support import RESERVATIONS, bearer, counts, issue_key, order, post_reservation
from web.api import idempotency
from web.extensions import db


@pytest.fixture
def shop(app):
    return issue_key("shop")


@pytest.fixture
def flats(make_building, make_premise):
    building = make_building()
    return [make_premise(building, number=str(n), price="10000000").id for n in range(1, 4)]


# ---------------------------------------------------------------- replay


def test_a_repeated_request_gets_the_same_answer_and_creates_nothing(client, shop, flats):
    first = post_reservation(client, shop[1], order(flats[0]), "order-42")
    before = counts()

    again = post_reservation(client, shop[1], order(flats[0]), "order-42")

    assert (again.status_code, again.json) == (201, first.json)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert counts() == before
    assert before["reservation"] == before["process_instance"] == before["client"] == 1


def test_key_order_and_spacing_of_the_body_do_not_matter(client, shop, flats):
    first = post_reservation(client, shop[1], order(flats[0]), "order-42")
    reordered = dict(reversed(list(order(flats[0]).items())))

    again = post_reservation(client, shop[1], reordered, "order-42")

    assert (again.status_code, again.json) == (201, first.json)
    assert counts()["reservation"] == 1


def test_the_same_key_with_another_body_is_422(client, shop, flats):
    post_reservation(client, shop[1], order(flats[0]), "order-42")
    before = counts()

    response = post_reservation(client, shop[1], order(flats[1]), "order-42")

    assert response.status_code == 422
    assert response.json["error"] == "idempotency_key_reused"
    assert list(response.json["fields"]) == ["Idempotency-Key"]
    assert counts() == before


def test_a_retry_after_409_replays_the_409_until_a_new_key_is_used(client, shop, flats):
    taken = post_reservation(client, shop[1], order(flats[0]), "first")
    refused = post_reservation(client, shop[1], order(flats[0], "+79990000002"), "second")
    client.delete(f"{RESERVATIONS}/{taken.json['id']}", headers=bearer(shop[1]))

    retry = post_reservation(client, shop[1], order(flats[0], "+79990000002"), "second")
    fresh = post_reservation(client, shop[1], order(flats[0], "+79990000002"), "third")

    assert refused.status_code == retry.status_code == 409
    assert retry.json == refused.json
    assert fresh.status_code == 201


def test_idempotency_keys_of_two_api_keys_do_not_mix(client, shop, flats):
    partner = issue_key("partner")
    post_reservation(client, shop[1], order(flats[0]), "order-1")

    response = post_reservation(client, partner[1], order(flats[0]), "order-1")

    assert response.status_code == 409  # a request of its own, not shop's 201 replayed
    assert response.json["error"] == "premise_unavailable"


def test_a_request_that_lost_the_race_replays_the_winners_answer(client, shop, flats, monkeypatch):
    """As if the first request committed between the second one's look-up and its commit."""
    first = post_reservation(client, shop[1], order(flats[0]), "order-42")
    before = counts()
    monkeypatch.setattr(idempotency.IdempotentRequest, "replay", _misses_once())

    again = post_reservation(client, shop[1], order(flats[0]), "order-42")

    assert (again.status_code, again.json) == (201, first.json)
    assert counts() == before


def _misses_once():
    real = idempotency.IdempotentRequest.replay
    calls = []

    def replay(self):
        calls.append(1)
        return None if len(calls) == 1 else real(self)

    return replay


# ---------------------------------------------------------------- validation


def _without_consent(body):
    del body["consent_personal_data"]


CASES = {
    "no consent": (_without_consent, "consent_personal_data"),
    "consent refused": (lambda b: b.update(consent_personal_data=False), "consent_personal_data"),
    "consent as text": (lambda b: b.update(consent_personal_data="true"), "consent_personal_data"),
    "bad phone": (lambda b: b["client"].update(phone="12345"), "client.phone"),
    "no phone": (lambda b: b["client"].pop("phone"), "client.phone"),
    "bad email": (lambda b: b["client"].update(email="anna@"), "client.email"),
    "empty name": (lambda b: b["client"].update(full_name="  "), "client.full_name"),
    "unknown field": (lambda b: b.update(discount=10), "discount"),
    "unknown client field": (lambda b: b["client"].update(passport="4510"), "client.passport"),
    "premise id as text": (lambda b: b.update(premise_id="1"), "premise_id"),
    "premise id as boolean": (lambda b: b.update(premise_id=True), "premise_id"),
    "name as number": (lambda b: b["client"].update(full_name=42), "client.full_name"),
    "client as text": (lambda b: b.update(client="Петрова"), "client"),
    "no client": (lambda b: b.pop("client"), "client"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_body_is_422_and_writes_nothing(client, shop, flats, case):
    spoil, field = CASES[case]
    body = order(flats[0])
    spoil(body)
    before = counts()

    response = post_reservation(client, shop[1], body)

    assert response.status_code == 422, response.json
    assert response.json["error"] == "validation_error"
    assert field in response.json["fields"]
    assert response.json["message"]
    assert counts() == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [("{not json", "application/json"), ("[1, 2]", "application/json"), ("a=1", "text/plain")],
)
def test_a_body_that_is_not_a_json_object_is_422(client, shop, data, content_type):
    headers = bearer(shop[1], "order-1") | {"Content-Type": content_type}

    response = client.post(RESERVATIONS, data=data, headers=headers)

    assert response.status_code == 422
    assert response.json["fields"] == {"body": "Ожидается JSON-объект"}


def test_a_post_without_an_idempotency_key_is_422(client, shop, flats):
    response = client.post(RESERVATIONS, json=order(flats[0]), headers=bearer(shop[1]))

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert list(response.json["fields"]) == ["Idempotency-Key"]
    assert counts()["reservation"] == 0


def test_a_refused_body_does_not_use_up_its_idempotency_key(client, shop, flats):
    bad = order(flats[0], phone="123")
    assert post_reservation(client, shop[1], bad, "order-7").status_code == 422

    response = post_reservation(client, shop[1], order(flats[0]), "order-7")

    assert response.status_code == 201
    assert db.session.query(IdempotencyRecord).count() == 1


def test_the_api_needs_no_csrf_token(app, client, shop, flats, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    response = post_reservation(client, shop[1], order(flats[0]))

    assert response.status_code == 201
