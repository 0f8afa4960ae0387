"""API v1: keys, the premise catalogue, the error shape. Reservations: test_api_reservations.py;
the OpenAPI document and the CLI: test_api_docs_and_cli.py."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.catalog.objects import PremiseKind, PremiseStatus
from models.db.base import utcnow
from models.users.api_key import ApiKey
from tests.web.api_support import bearer, issue_key
from web.extensions import db

PREMISES = "/api/v1/premises"


@pytest.fixture
def key(app):
    return issue_key()


@pytest.fixture
def headers(key):
    return bearer(key[1])


@pytest.fixture
def building(make_building):
    return make_building(name="Корпус 1")


# ---------------------------------------------------------------- keys


def test_a_request_without_a_key_is_refused_with_401(client):
    response = client.get(PREMISES)

    assert response.status_code == 401
    assert response.json == {
        "error": "unauthorized",
        "message": response.json["message"],
        "fields": {},
    }
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "authorization",
    ["Bearer sk_not-a-key", "Basic dXNlcjpwYXNz", "Bearer ", "sk_without_scheme"],
)
def test_an_unknown_key_or_another_scheme_is_refused_with_401(client, key, authorization):
    response = client.get(PREMISES, headers={"Authorization": authorization})

    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"


def test_a_revoked_key_is_refused_with_401(client, key, headers):
    db.session.get(ApiKey, key[0]).revoked_at = utcnow()
    db.session.commit()

    assert client.get(PREMISES, headers=headers).status_code == 401
    response = client.post("/api/v1/reservations", json={}, headers=headers)
    assert response.status_code == 401
    assert response.json["error"] == "unauthorized"


def test_a_staff_login_is_not_a_key(client, login_as):
    login_as("admin")

    assert client.get(PREMISES).status_code == 401


def test_last_use_of_a_key_is_written_at_most_once_a_minute(client, key, headers):
    client.get(PREMISES, headers=headers)
    first = db.session.get(ApiKey, key[0]).last_used_at
    client.get(PREMISES, headers=headers)
    db.session.expire_all()
    assert first is not None
    assert db.session.get(ApiKey, key[0]).last_used_at == first

    db.session.get(ApiKey, key[0]).last_used_at = first - timedelta(minutes=5)
    db.session.commit()
    client.get(PREMISES, headers=headers)
    db.session.expire_all()
    assert db.session.get(ApiKey, key[0]).last_used_at > first - timedelta(seconds=1)


# ---------------------------------------------------------------- premises


def test_premises_come_with_money_and_area_as_strings(client, headers, building, make_premise):
    premise = make_premise(
        building, number="12", floor=3, section=2, total_area="61.30", price="12500000"
    )

    response = client.get(PREMISES, headers=headers)

    assert response.status_code == 200
    assert response.json == {
        "items": [
            {
                "id": premise.id,
                "number": "12",
                "building_id": building.id,
                "section": 2,
                "floor": 3,
                "type": "apartment",
                "rooms": 2,
                "area": "61.30",
                "price": "12500000.00",
                "price_per_m2": "203915.17",
                "status": "available",
            }
        ],
        "total": 1,
    }


def test_premises_are_filtered_like_the_chessboard(
    client, headers, building, make_building, make_premise
):
    other = make_building(project=building.project, name="Корпус 2")
    studio = make_premise(building, number="1", rooms=1, is_studio=True, price="6000000")
    two = make_premise(building, number="2", rooms=2, price="11000000")
    make_premise(building, number="3", rooms=3, status=PremiseStatus.reserved, price="15000000")
    parking = make_premise(building, number="P1", kind=PremiseKind.parking, rooms=0, price="900000")
    elsewhere = make_premise(other, number="1", rooms=2, price="10000000")

    def ids(query: str) -> list[int]:
        response = client.get(f"{PREMISES}?{query}", headers=headers)
        assert response.status_code == 200, response.json
        assert response.json["total"] == len(response.json["items"])
        return [item["id"] for item in response.json["items"]]

    assert ids(f"building_id={other.id}") == [elsewhere.id]
    assert len(ids("status=available")) == 4
    assert len(ids("status=available&status=reserved")) == 5
    assert ids("type=parking") == [parking.id]
    assert ids("rooms=0") == [studio.id]
    assert ids(f"rooms=2&building_id={building.id}") == [two.id]
    assert ids("price_min=6000000&price_max=10000000") == [studio.id, elsewhere.id]
    assert ids("price_max=1000000") == [parking.id]


def test_premises_come_fifty_a_page(client, headers, building, make_premise):
    for number in range(1, 56):
        make_premise(building, number=str(number), floor=1 + number % 10)

    first = client.get(PREMISES, headers=headers).json
    second = client.get(f"{PREMISES}?page=2", headers=headers).json
    beyond = client.get(f"{PREMISES}?page=9", headers=headers).json

    assert (len(first["items"]), first["total"]) == (50, 55)
    assert (len(second["items"]), second["total"]) == (5, 55)
    assert beyond == {"items": [], "total": 55}
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in second["items"]}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=gone", "status"),
        ("type=villa", "type"),
        ("rooms=7", "rooms"),
        ("price_min=дорого", "price_min"),
        ("price_max=-1", "price_max"),
        ("building_id=first", "building_id"),
        ("page=0", "page"),
        ("kind=apartment", "kind"),
    ],
)
def test_a_bad_filter_is_refused_with_422(client, headers, query, field):
    response = client.get(f"{PREMISES}?{query}", headers=headers)

    assert response.status_code == 422
    assert response.json["error"] == "validation_error"
    assert list(response.json["fields"]) == [field]


def test_one_premise_by_id(client, headers, building, make_premise):
    premise = make_premise(building, number="7", price="9000000", total_area="45")

    response = client.get(f"{PREMISES}/{premise.id}", headers=headers)

    assert response.status_code == 200
    assert response.json["number"] == "7"
    assert response.json["price_per_m2"] == "200000.00"


def test_an_unknown_premise_is_404_in_json(client, headers):
    response = client.get(f"{PREMISES}/999", headers=headers)

    assert response.status_code == 404
    assert response.json["error"] == "not_found"


# ---------------------------------------------------------------- the error shape


def test_an_unknown_api_path_answers_json_not_html(client, headers):
    response = client.get("/api/v1/nothing-here", headers=headers)

    assert response.status_code == 404
    assert response.json == {"error": "not_found", "message": "Не найдено", "fields": {}}


def test_a_wrong_method_answers_405_in_json(client, headers):
    response = client.put(PREMISES, json={}, headers=headers)

    assert response.status_code == 405
    assert response.json["error"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert response.mimetype == "text/html"


def test_a_server_error_answers_500_in_json(app, client, headers, monkeypatch):
    def broken(premise_id):
        raise RuntimeError("simulated failure")

    broken.allowed_roles = None
    monkeypatch.setitem(app.view_functions, "api.premise", broken)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    response = client.get(f"{PREMISES}/1", headers=headers)

    assert response.status_code == 500
    assert response.json["error"] == "internal_error"
