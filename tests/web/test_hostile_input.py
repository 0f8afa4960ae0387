"""Hostile input never makes a 500 and writes nothing: ids of 2^31 and more, JSON nested
100,000 deep, lone surrogates, NUL bytes, dates of the year 1; on the API (the error shape) and
on the pages (a Russian message beside the field). web/inputs.py, web/forms.py and
models/db/bounds.py are the places that hold the bounds."""

from __future__ import annotations

import json

import pytest
from flask import request
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from engine.core import forms as task_forms
from engine.core.forms import FormField
from models.catalog.objects import Building, Premise
from models.clients.client import Client
from models.crm.history import Interaction
from models.db.bounds import DATE_MESSAGE, UNSTORABLE_TEXT
from models.sales.reservation import Reservation
from models.users.user import Role
from tests.client_support import PERSON
from tests.web.api_support import RESERVATIONS, bearer, counts, issue_key, order
from tests.web.test_catalog_pages import building_data, field_errors, premise_data
from web.catalog.filters import PremiseFilter
from web.extensions import db
from web.fields import RuDateField
from web.forms import Form
from web.inputs import UnreadableJson

HUGE_IDS = [2**31, 2**63, 10**30]
PREMISES = "/api/v1/premises"


@pytest.fixture
def shop(app):
    return issue_key()


@pytest.fixture
def flat(make_building, make_premise, db_session):
    premise = make_premise(make_building())
    db_session.commit()
    return premise.id


def is_error_shape(response) -> bool:
    body = response.get_json(silent=True)
    return isinstance(body, dict) and set(body) == {"error", "message", "fields"}


def post_raw(client, raw_key: str, body: str, key: str = "attempt-1"):
    headers = bearer(raw_key, key) | {"Content-Type": "application/json"}
    return client.post(RESERVATIONS, data=body.encode("utf-8"), headers=headers)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# ---------------------------------------------------------------- the API: ids


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize("path", [PREMISES + "/{}", RESERVATIONS + "/{}"])
def test_an_id_too_large_for_the_database_in_an_api_path_is_404(client, shop, path, huge):
    response = client.get(path.format(huge), headers=bearer(shop[1]))

    assert response.status_code == 404
    assert is_error_shape(response)


def test_cancelling_a_reservation_of_a_huge_id_is_404_and_writes_nothing(client, shop):
    before = counts()

    response = client.delete(f"{RESERVATIONS}/{2**63}", headers=bearer(shop[1]))

    assert response.status_code == 404
    assert is_error_shape(response)
    assert counts() == before


@pytest.mark.parametrize("name", ["page", "building_id"])
@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_page_or_building_too_large_for_the_database_is_422_naming_it(client, shop, name, huge):
    response = client.get(PREMISES, query_string={name: huge}, headers=bearer(shop[1]))

    assert response.status_code == 422
    assert is_error_shape(response)
    assert set(response.json["fields"]) == {name}


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_a_premise_id_too_large_for_the_database_in_json_is_422(client, shop, flat, huge):
    before = counts()

    response = client.post(RESERVATIONS, json=order(huge), headers=bearer(shop[1], "k"))

    assert response.status_code == 422
    assert set(response.json["fields"]) == {"premise_id"}
    assert counts() == before


# ---------------------------------------------------------------- the API: JSON bodies


@pytest.mark.parametrize("depth", [100_000, 1_000, 40])
def test_json_nested_deeply_is_refused_with_the_error_shape(client, shop, flat, depth):
    before = counts()
    body = f'{{"premise_id": {flat}, "client": {"[" * depth + "]" * depth}}}'

    response = post_raw(client, shop[1], body)

    assert response.status_code == 422
    assert is_error_shape(response)
    assert "вложенность" in next(iter(response.json["fields"].values()))
    assert counts() == before


@pytest.mark.parametrize(
    ("text", "fields"),
    [
        (r"Петрова \ud800 Анна", {"client.full_name": UNSTORABLE_TEXT}),
        (r"Петрова \u0000 Анна", {"client.full_name": UNSTORABLE_TEXT}),
        ("Петрова \u0000 Анна", {"body": "Ожидается JSON-объект"}),  # not JSON: raw control
    ],
)
def test_a_name_with_a_lone_surrogate_or_a_nul_byte_is_422_naming_the_field(
    client, shop, flat, text, fields
):
    before = counts()
    body = json.dumps(order(flat), ensure_ascii=False).replace("Петрова Анна Сергеевна", text)

    response = post_raw(client, shop[1], body)

    assert response.status_code == 422
    assert response.json["fields"] == fields
    assert counts() == before


def test_a_lone_surrogate_in_a_key_is_422(client, shop, flat):
    body = json.dumps(order(flat))[:-1] + r', "\udfff": 1}'

    response = post_raw(client, shop[1], body)

    assert response.status_code == 422
    assert response.json["fields"] == {"body": UNSTORABLE_TEXT}


@pytest.mark.parametrize("key", ["ключ-1", "key\twith tab"])
def test_an_idempotency_key_outside_printable_ascii_is_422(client, shop, flat, key):
    headers = {
        "Authorization": f"Bearer {shop[1]}",
        "Idempotency-Key": key.encode().decode("latin-1"),
    }
    before = counts()

    response = client.post(RESERVATIONS, json=order(flat), headers=headers)

    assert response.status_code == 422
    assert set(response.json["fields"]) == {"Idempotency-Key"}
    assert counts() == before


def test_a_nul_byte_in_an_api_query_is_400_with_the_error_shape(client, shop):
    response = client.get(PREMISES + "?status=available%00", headers=bearer(shop[1]))

    assert response.status_code == 400
    assert is_error_shape(response)


# ---------------------------------------------------------------- the API and its schema agree


def test_the_schema_refuses_an_empty_name_or_phone_as_the_server_does(client, shop, flat):
    document = client.get("/api/v1/openapi.json").json
    person = document["components"]["schemas"]["ReservationRequest"]["properties"]["client"]
    assert person["properties"]["full_name"]["minLength"] == 1
    assert person["properties"]["phone"]["pattern"]

    for field in ("full_name", "phone"):
        response = client.post(
            RESERVATIONS, json=order(flat, **{field: ""}), headers=bearer(shop[1], field)
        )
        assert response.status_code == 422
        assert set(response.json["fields"]) == {f"client.{field}"}


@pytest.mark.parametrize("price", ["0.5", "12500000", "9800000.50"])
def test_a_price_the_schema_allows_is_accepted(client, shop, price):
    response = client.get(PREMISES, query_string={"price_min": price}, headers=bearer(shop[1]))

    assert response.status_code == 200


@pytest.mark.parametrize("price", ["1e3", "12 500 000", "0,5", "0.505", "-1", ""])
def test_a_price_the_schema_refuses_is_refused(client, shop, price):
    response = client.get(PREMISES, query_string={"price_max": price}, headers=bearer(shop[1]))

    assert response.status_code == 422
    assert set(response.json["fields"]) == {"price_max"}


# ---------------------------------------------------------------- pages: ids and filters


@pytest.mark.parametrize("huge", HUGE_IDS)
@pytest.mark.parametrize(
    "path", ["/premises/{}", "/clients/{}", "/reservations/{}", "/processes/instances/{}"]
)
def test_an_id_too_large_for_the_database_in_a_page_address_is_404(client, login_as, path, huge):
    login_as(Role.admin)

    assert client.get(path.format(huge)).status_code == 404


@pytest.mark.parametrize("huge", [str(2**63), str(10**30), "9" * 5000])
@pytest.mark.parametrize(
    "query",
    [
        "/reservations?manager_id={}",
        "/reservations?page={}",
        "/premises?page={}",
        "/reservations?project_id={}",
        "/clients?page={}",
        "/premises?building_id={}",
        "/inbox/?page={}",
        "/processes/instances?page={}",
    ],
)
def test_a_huge_number_in_a_page_filter_is_ignored(client, login_as, query, huge):
    login_as(Role.admin)

    assert client.get(query.format(huge)).status_code == 200


def test_a_nul_byte_in_a_page_query_is_400(client, login_as):
    login_as(Role.admin)

    response = client.get("/clients?q=%00")

    assert response.status_code == 400
    assert "Запрос не удалось разобрать" in response.get_data(as_text=True)


# ---------------------------------------------------------------- pages: forms


def test_a_nul_byte_in_a_form_field_is_refused_beside_it_and_nothing_is_written(
    client, login_as, db_session
):
    login_as(Role.sales_manager)

    response = client.post("/clients/new", data={**PERSON, "full_name": "Смирнова\x00 Ольга"})

    assert response.status_code in (200, 422)
    assert field_errors(response.data, "full_name") == [UNSTORABLE_TEXT]
    assert count(db_session, Client) == 0


def test_a_date_of_the_year_one_in_a_client_form_is_refused_beside_it(client, login_as, db_session):
    login_as(Role.sales_manager)

    data = {**PERSON, "birth_date": "", "passport_issued_on": "01.01.0001"}
    response = client.post("/clients/new", data=data)

    assert field_errors(response.data, "passport_issued_on") == [DATE_MESSAGE]
    assert count(db_session, Client) == 0


@pytest.mark.parametrize("typed", ["01.01.0001", "31.12.9999", "0001-01-01"])
def test_a_date_field_refuses_a_year_out_of_range_when_no_rule_of_its_own_does(app, typed):
    class Dated(Form):
        day = RuDateField("День")

    with app.test_request_context("/", method="POST", data={"day": typed}):
        form = Dated()

        assert not form.validate()
        assert form.day.errors == [DATE_MESSAGE]


def test_a_building_commissioned_in_the_year_one_is_refused_beside_the_field(
    client, login_as, db_session, make_project
):
    login_as(Role.head_of_sales)
    project = make_project()
    db_session.commit()

    response = client.post(
        f"/projects/{project.id}/buildings/new",
        data=building_data(commissioning_date="01.01.0001"),
    )

    assert response.status_code == 200
    assert field_errors(response.data, "commissioning_date")
    assert count(db_session, Building) == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("at", "01.01.0001 00:00"), ("summary", "Звонок\x00"), ("at", "0001-01-01T00:00")],
)
def test_hostile_input_in_a_contact_log_writes_nothing(
    client, login_as, db_session, make_client, field, value
):
    login_as(Role.sales_manager)
    buyer = make_client("Соколова Анна", "+79161112233")
    db_session.commit()
    data = {"kind": "call", "direction": "in", "summary": "Перезвонила", "at": "", field: value}

    response = client.post(f"/crm/clients/{buyer.id}/interactions", data=data)

    assert response.status_code < 500
    assert count(db_session, Interaction) == 0


def test_a_huge_number_in_a_premise_form_is_refused_beside_it(
    client, login_as, db_session, make_building
):
    login_as(Role.head_of_sales)
    building = make_building()
    db_session.commit()
    data = premise_data(floor=str(2**40), living_area="1000000")

    response = client.post(f"/buildings/{building.id}/premises/new", data=data)

    assert field_errors(response.data, "floor") == ["Слишком большое число"]
    assert field_errors(response.data, "living_area") == ["Слишком большое число"]
    assert count(db_session, Premise) == 0


def test_every_form_of_the_app_refuses_unstorable_text(app):
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = [form for form in subclasses(FlaskForm) if form.__module__.startswith("web.")]

    assert ours
    assert [form for form in ours if not issubclass(form, Form)] == []


def test_a_year_one_in_a_reservation_extension_is_refused_beside_the_field(
    client, login_as, db_session, make_building, make_premise
):
    login_as(Role.sales_manager)
    flat = make_premise(make_building(), number="15")
    db_session.commit()
    client.post(
        f"/premises/{flat.id}/reserve",
        data={"phone": "8 (916) 123-45-67", "full_name": "Смирнова Ольга", "consent": "y"},
    )
    reservation = db_session.scalars(select(Reservation)).one()
    expires_at = reservation.expires_at

    response = client.post(
        f"/reservations/{reservation.id}/extend", data={"until": "01.01.0001 00:00"}
    )

    assert response.status_code == 422
    assert DATE_MESSAGE in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Reservation, reservation.id).expires_at == expires_at


@pytest.mark.parametrize("other", [str(2**63), str(10**30)])
def test_a_huge_card_number_to_merge_with_is_not_found(client, login_as, make_client, other):
    login_as(Role.head_of_sales)
    buyer = make_client("Соколова Анна", "+79161112233")
    db.session.commit()

    assert client.get(f"/clients/{buyer.id}/merge?other={other}").status_code == 200
    response = client.post(f"/clients/{buyer.id}/merge", data={"other_id": other, "keep": "this"})
    assert response.status_code == 422
    assert "Вторая карточка не найдена" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("01.01.0001", DATE_MESSAGE),
        ("9999-12-31", DATE_MESSAGE),
        (str(2**40), "Слишком большое число"),
        ("Звонок\x00", UNSTORABLE_TEXT),
    ],
)
def test_a_process_task_form_refuses_what_no_column_stores_at_its_field(typed, message):
    fields = [
        FormField("due", "Срок", "date"),
        FormField("count", "Количество", "number"),
        FormField("note", "Заметка", "text"),
    ]
    name = {DATE_MESSAGE: "due", UNSTORABLE_TEXT: "note"}.get(message, "count")

    _, errors = task_forms.validate(fields, {name: typed})

    assert errors == {name: message}


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"xml": "\\ud800"}', '{"xml": "<a>\\u0000</a>"}'],
)
def test_every_json_the_app_reads_is_refused_when_hostile(app, body):
    """`request.get_json` anywhere (the diagram editor's saves too) reads through this."""
    with pytest.raises(UnreadableJson):
        app.json.loads(body)
    with app.test_request_context("/", method="POST", data=body, content_type="application/json"):
        assert request.get_json(silent=True) is None


HOSTILE_QUERY = {
    "page": str(2**63),
    "manager_id": str(2**31),
    "project_id": str(2**63),
    "building_id": str(10**30),
    "project": str(2**63),
    "other": str(2**63),
    "q": "й" * 500,
    "status": "%ff\x01",
    "from": "0001-01-01",
    "to": "9" * 50,
    "process": "x",
    "key": "0001-01-01T00:00",
    "tab": "x",
    "kind": "x",
    "format": "x",
    "price_min": "1e999999",
    "area_max": "NaN",
    "rooms": "9" * 5000,
    "colour": "ppm",
}


@pytest.mark.parametrize(
    "role", [Role.admin, Role.head_of_sales, Role.sales_manager, Role.analyst, Role.lawyer]
)
def test_no_page_of_the_app_answers_hostile_query_arguments_with_a_500(app, client, login_as, role):
    """Every GET page (ids in the path: 1, text: «x»), with every filter the app reads set to
    something hostile: a page or a 403/404, never an error of the server."""
    login_as(role)
    failed = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(("/static", "/api/")):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "1").replace(f"<{name}>", "x")
        response = client.get(path, query_string=HOSTILE_QUERY)
        if response.status_code >= 500:
            failed.append(path)

    assert failed == []


@pytest.mark.parametrize("typed", ["1e999999", "1000000000000", "9" * 200])
def test_a_price_filter_beyond_any_stored_price_is_refused_not_sent_to_the_database(typed):
    found = PremiseFilter.from_args(MultiDict({"price_min": typed, "area_max": typed}))

    assert found.errors == {
        "price_min": "Слишком большое число",
        "area_max": "Слишком большое число",
    }
    assert found.where() == []
