"""The client card over HTTP: create and edit, every bad input next to its field with nothing
written, duplicate warnings, consents, conflicts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.clients import use_cases as clients
from models.clients.client import Client, ClientChange, ClientConflict, Consent, ConsentKind
from models.users.user import Role
from tests.client_support import COMPANY, PERSON, written


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def next_to(html: str, field: str) -> str:
    """The markup of one form field: its input and the messages under it."""
    start = html.index(f'name="{field}"')
    end = html.find('<div class="mb-3', start)
    return html[start : end if end != -1 else None]


def test_a_manager_creates_a_person_card_with_documents_and_lead_source(
    client, login_as, db_session
):
    manager = login_as(Role.sales_manager)

    response = client.post("/clients/new", data={**PERSON, "manager_id": str(manager.id)})

    buyer = db_session.scalars(select(Client)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{buyer.id}")
    assert [p.phone for p in buyer.phones] == ["+79161234567", "+79035556677"]
    assert buyer.email == "olga@mail.ru"
    assert (buyer.passport_series, buyer.passport_number) == ("4510", "123456")
    assert buyer.snils == "112-233-445 95" and buyer.inn == "500100732259"
    assert buyer.manager_id == manager.id
    assert (buyer.first_touch_channel, buyer.first_touch_campaign) == ("Циан", "осень-2026")
    assert buyer.has_consent(ConsentKind.personal_data)
    assert not buyer.has_consent(ConsentKind.marketing)
    consent = buyer.consents[0]
    assert (consent.channel, consent.taken_by_id) == ("office", manager.id)
    card = client.get(f"/clients/{buyer.id}").get_data(as_text=True)
    assert "+7 916 123-45-67" in card and "05.03.1985" in card and "112-233-445 95" in card
    assert "Циан" in card and "нет согласия" not in card


def test_a_company_card_holds_its_requisites(client, login_as, db_session):
    login_as(Role.head_of_sales)

    assert client.post("/clients/new", data=COMPANY).status_code == 302

    company = db_session.scalars(select(Client)).one()
    assert (company.kind.value, company.inn, company.kpp, company.ogrn) == (
        "company",
        "7707083893",
        "770701001",
        "1027700132195",
    )
    card = client.get(f"/clients/{company.id}").get_data(as_text=True)
    assert "Иванов Иван, генеральный директор" in card
    assert 'data-testid="no-consent"' in card  # no consent given: marked


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", "500100732258", "ИНН не проходит проверку контрольной суммы"),
        ("inn", "7707083893", "ИНН физического лица — 12 цифр"),
        ("snils", "112-233-445 96", "СНИЛС не проходит проверку контрольной суммы"),
        ("phones", "8 916 123-45-67\n12-34", "Телефон «12-34»"),
        ("phones", "+7 916 123", "Телефон «+7 916 123»"),
        ("emails", "olga@", "Адрес эл. почты «olga@» указан неверно"),
        ("birth_date", "2999-01-01", "Дата рождения не может быть в будущем"),
        ("birth_date", "31.02.1985", "Дата в виде дд.мм.гггг"),
        ("passport_number", "12345", "Номер паспорта — 6 цифр"),
        ("phones", "", "Укажите хотя бы один телефон"),
        ("full_name", "", "Обязательное поле"),
    ],
)
def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    client, login_as, db_session, field, value, message
):
    login_as(Role.sales_manager)
    before = written(db_session)

    response = client.post("/clients/new", data={**PERSON, field: value})

    assert response.status_code == 200
    assert message in next_to(response.get_data(as_text=True), field)
    assert written(db_session) == before


def test_every_error_of_the_form_is_shown_at_once(client, login_as, db_session):
    login_as(Role.sales_manager)
    bad = {**PERSON, "inn": "1", "snils": "2", "emails": "x@", "birth_date": "2999-01-01"}

    html = client.post("/clients/new", data=bad).get_data(as_text=True)

    for field in ("inn", "snils", "emails", "birth_date"):
        assert "invalid-feedback" in next_to(html, field), field
    assert count(db_session, Client) == 0


def test_a_known_phone_in_another_format_warns_of_a_duplicate_first(
    client, login_as, db_session, make_client
):
    known = make_client("Смирнова Ольга", "+79161234567")
    login_as(Role.sales_manager)

    warned = client.post("/clients/new", data={**PERSON, "phones": "+7 (916) 1234567"})

    html = warned.get_data(as_text=True)
    assert "Возможный дубль" in html and f'href="/clients/{known.id}"' in html
    assert count(db_session, Client) == 1
    again = client.post(
        "/clients/new", data={**PERSON, "phones": "+7 (916) 1234567", "create_anyway": "y"}
    )
    assert again.status_code == 302
    assert count(db_session, Client) == 2


def test_a_known_email_warns_of_a_duplicate_too(client, login_as, db_session, make_client):
    known = make_client("Смирнова Ольга", "+79161234567")
    login_as(Role.sales_manager)
    known.add_email("olga@mail.ru")
    db_session.commit()

    html = client.post("/clients/new", data={**PERSON, "phones": "+79990001122"}).get_data(
        as_text=True
    )

    assert "Возможный дубль" in html
    assert count(db_session, Client) == 1


def test_the_responsible_manager_edits_the_card_and_each_change_is_recorded(
    client, login_as, db_session, make_client, manager
):
    buyer = make_client("Смирнова Ольга", "+79161234567", manager_id=manager.id)
    login_as(Role.sales_manager)
    form = client.get(f"/clients/{buyer.id}/edit").get_data(as_text=True)
    assert "+79161234567" in form

    response = client.post(
        f"/clients/{buyer.id}/edit",
        data={
            **PERSON,
            "phones": "+79161234567\n+79035556677",
            "manager_id": str(manager.id),
            "confirmed": ["passport", "inn"],
        },
    )

    assert response.status_code == 302
    db_session.refresh(buyer)
    assert buyer.is_confirmed("passport_number") and buyer.is_confirmed("inn")
    fields = {c.field for c in buyer.changes}
    assert {"passport_number", "inn", "phone", "email", "confirmed_fields"} <= fields
    assert {c.user_id for c in buyer.changes if c.field == "inn"} == {manager.id}
    card = client.get(f"/clients/{buyer.id}").get_data(as_text=True)
    assert "Изменения карточки" in card and "✓ документ" in card


def test_a_bad_edit_writes_nothing(client, login_as, db_session, make_client, manager):
    buyer = make_client("Смирнова Ольга", "+79161234567", manager_id=manager.id)
    login_as(Role.sales_manager)
    before = written(db_session)

    response = client.post(
        f"/clients/{buyer.id}/edit", data={**PERSON, "snils": "112-233-445 96", "manager_id": ""}
    )

    assert response.status_code == 200
    assert "контрольной суммы" in next_to(response.get_data(as_text=True), "snils")
    assert written(db_session) == before
    db_session.refresh(buyer)
    assert buyer.passport_number is None


def test_a_sales_manager_cannot_edit_another_managers_client(
    client, login_as, make_user, db_session, make_client
):
    colleague = make_user(Role.sales_manager, email="colleague@test.local")
    buyer = make_client("Смирнова Ольга", "+79161234567", manager_id=colleague.id)
    login_as(Role.sales_manager)

    assert client.get(f"/clients/{buyer.id}/edit").status_code == 403
    assert client.post(f"/clients/{buyer.id}/edit", data=PERSON).status_code == 403
    assert client.post(f"/clients/{buyer.id}/consents", data={}).status_code == 403
    assert count(db_session, ClientChange) == 0
    login_as(Role.head_of_sales)
    assert client.get(f"/clients/{buyer.id}/edit").status_code == 200


def test_a_conflict_from_a_request_is_resolved_on_the_card(
    client, login_as, db_session, make_client, manager
):
    buyer = make_client("Смирнова Ольга", "+79161234567", manager_id=manager.id)
    login_as(Role.sales_manager)
    buyer.passport_series, buyer.passport_number = "4510", "123456"
    buyer.confirmed_fields = ["passport_series", "passport_number"]
    db_session.commit()
    clients.update_from_source(
        db_session, buyer, {"passport_series": "4511", "passport_number": "654321"}, "online"
    )
    db_session.commit()
    conflict = db_session.scalars(select(ClientConflict)).one()

    card = client.get(f"/clients/{buyer.id}").get_data(as_text=True)
    assert "4511 654321" in card and "расхождений: 1" in card
    client.post(f"/clients/{buyer.id}/conflicts/{conflict.id}", data={"decision": "replace"})

    db_session.refresh(buyer)
    db_session.refresh(conflict)
    assert (buyer.passport_series, buyer.passport_number) == ("4511", "654321")
    assert conflict.resolution == "replaced" and conflict.resolved_by_id == manager.id
    assert "расхождений" not in client.get(f"/clients/{buyer.id}").get_data(as_text=True)


def test_consents_are_separate_records_given_and_revoked_from_the_card(
    client, login_as, db_session, make_client, manager
):
    buyer = make_client("Смирнова Ольга", "+79161234567", manager_id=manager.id)
    login_as(Role.sales_manager)
    [personal] = buyer.consents

    client.post(
        f"/clients/{buyer.id}/consents",
        data={"kind": "marketing", "channel": "online", "text_version": "2026-01"},
    )
    client.post(f"/clients/{buyer.id}/consents/{personal.id}/revoke")

    db_session.refresh(buyer)
    assert buyer.has_consent(ConsentKind.marketing)
    assert not buyer.has_consent(ConsentKind.personal_data)
    marketing = [c for c in buyer.consents if c.kind == ConsentKind.marketing][0]
    assert (marketing.text_version, marketing.taken_by_id) == ("2026-01", manager.id)
    assert personal.revoked_at is not None
    card = client.get(f"/clients/{buyer.id}").get_data(as_text=True)
    assert "нет согласия на обработку ПДн" in card
    listing = client.get("/clients").get_data(as_text=True)
    assert 'data-testid="no-consent"' in listing


def test_a_second_valid_consent_of_one_kind_is_refused(
    client, login_as, db_session, make_client, manager
):
    buyer = make_client("Смирнова Ольга", "+79161234567", manager_id=manager.id)
    login_as(Role.sales_manager)

    response = client.post(
        f"/clients/{buyer.id}/consents",
        data={"kind": "personal_data", "channel": "office", "text_version": "2025-09-01"},
        follow_redirects=True,
    )

    assert "уже действует" in response.get_data(as_text=True)
    assert count(db_session, Consent) == 1
