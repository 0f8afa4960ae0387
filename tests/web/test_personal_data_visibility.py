"""Analysts and marketers never see a person's passport, birth date, address, ИНН or СНИЛС:
not on the card, not in its change log or conflicts, not after the card became a company's,
not after a merge — the field decides, not the card's current kind. Those who work with the
documents (sales, management, the mortgage broker) still see them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.clients import use_cases as clients
from models.clients.client import Client, ClientConflict, ClientKind
from models.clients.personal_data import (
    HIDDEN,
    PERSONAL_FIELDS,
    can_see_clients,
    can_see_personal_data,
    hidden_fields,
    shown_value,
)
from models.users.user import Role
from tests.client_support import COMPANY, PERSON, changes_of

# How each value of DOCUMENTS shows on a page, to a reader who may see it.
SECRETS = (
    "987654",  # passport number
    "ОВД Тверского района",
    "05.04.2005",  # passport issued on
    "05.03.1985",  # birth date
    "ул. Тверская",
    "500100732259",  # a person's ИНН
    "112-233-445 95",  # СНИЛС
)
# PERSON with a passport number no phone of the test contains.
DOCUMENTS = {**PERSON, "passport_number": "987654"}
BLIND = (Role.analyst, Role.marketer)
SEEING = (Role.head_of_sales, Role.mortgage_broker)


def leaked(html: str) -> list[str]:
    return [secret for secret in SECRETS if secret in html]


def card_as(client, login_as, role, card_id) -> str:
    login_as(role)
    response = client.get(f"/clients/{card_id}")
    assert response.status_code == 200, role
    return response.get_data(as_text=True)


def a_person_with_documents(client, login_as, db_session) -> Client:
    manager = login_as(Role.sales_manager)
    response = client.post("/clients/new", data={**DOCUMENTS, "manager_id": str(manager.id)})
    assert response.status_code == 302
    return db_session.scalars(select(Client)).one()


def test_a_person_switched_to_a_company_keeps_the_old_documents_hidden_in_the_change_log(
    client, login_as, db_session
):
    person = a_person_with_documents(client, login_as, db_session)
    manager = login_as(Role.sales_manager)

    response = client.post(
        f"/clients/{person.id}/edit",
        data={**COMPANY, "full_name": person.full_name, "manager_id": str(manager.id)},
    )

    assert response.status_code == 302
    db_session.refresh(person)
    assert person.kind.value == "company" and person.passport_number is None
    assert changes_of(db_session, person, "passport_number")[-1].old_value == "987654"
    for role in BLIND:
        page = card_as(client, login_as, role, person.id)
        assert 'data-testid="changes"' in page and "Серия паспорта" in page
        assert leaked(page) == [], role
        assert HIDDEN in page
    for role in SEEING:
        page = card_as(client, login_as, role, person.id)
        assert "500100732259" in page and "112-233-445 95" in page, role


@pytest.mark.parametrize("company_inn", ["7707083893", None], ids=["with-inn", "without-inn"])
def test_a_person_merged_into_a_company_card_shows_no_documents_there(
    client, login_as, db_session, make_client, company_inn
):
    person = a_person_with_documents(client, login_as, db_session)
    company = make_client(
        "ООО «Ромашка»", "+74951112233", kind=ClientKind.company, inn=company_inn, kpp="770701001"
    )
    login_as(Role.head_of_sales)

    response = client.post(
        f"/clients/{company.id}/merge", data={"other_id": str(person.id), "keep": "this"}
    )

    assert response.status_code == 302
    db_session.refresh(company)
    # a person's documents are not a company's: the merge gives the company none of them (the
    # merged card keeps its own), so no role finds them on the company's card
    assert company.passport_number is None and company.open_conflicts == []
    assert company.inn == company_inn
    for role in (*BLIND, *SEEING):
        page = card_as(client, login_as, role, company.id)
        assert leaked(page) == [], role
        assert "770701001" in page  # a company's КПП is no one's personal data


def test_a_conflict_on_a_persons_document_shows_hidden_values_to_analysts(
    client, login_as, db_session, make_client
):
    buyer = make_client(
        "Смирнова Ольга",
        inn="500100732259",
        birth_date=date(1985, 3, 5),
        confirmed_fields=["inn", "birth_date"],
    )
    clients.update_from_source(
        db_session, buyer, {"inn": "770123456703", "birth_date": "06.03.1985"}, "document"
    )
    # The card later became a company's: the open conflicts stay, and stay hidden.
    buyer.set_field("kind", ClientKind.company, source="manual", user_id=None, at=buyer.created_at)
    db_session.flush()
    assert len(db_session.scalars(select(ClientConflict)).all()) == 2

    for role in BLIND:
        page = card_as(client, login_as, role, buyer.id)
        assert 'data-testid="conflicts"' in page
        assert "500100732259" not in page and "770123456703" not in page, role
        assert "1985-03-05" not in page and "1985-03-06" not in page, role
    page = card_as(client, login_as, Role.mortgage_broker, buyer.id)
    assert "500100732259" in page and "770123456703" in page


def test_a_companys_inn_is_hidden_like_a_persons_but_its_other_requisites_are_not(
    client, login_as, db_session
):
    login_as(Role.head_of_sales)
    client.post("/clients/new", data=COMPANY)
    company = db_session.scalars(select(Client)).one()

    for role in BLIND:
        page = card_as(client, login_as, role, company.id)
        assert "7707083893" not in page and "1027700132195" in page, role
    assert "7707083893" in card_as(client, login_as, Role.sales_manager, company.id)


@pytest.mark.parametrize("role", list(Role))
def test_the_rule_is_one_per_role_and_per_field_name(role):
    sees = role in {
        Role.admin,
        Role.head_of_sales,
        Role.sales_manager,
        Role.mortgage_broker,
    }
    assert can_see_personal_data(role) is sees
    assert (hidden_fields(role) == PERSONAL_FIELDS) is not sees
    for field in ("passport_number", "birth_date", "registration_address", "inn", "snils"):
        assert shown_value(field, "x", role) == ("x" if sees else HIDDEN)
    assert shown_value("kpp", "770701001", role) == "770701001"
    assert shown_value("inn", None, role) is None


@pytest.mark.parametrize("role", list(Role))
def test_every_role_sees_the_change_log_of_a_former_person_as_the_rule_says(
    client, login_as, db_session, role
):
    person = a_person_with_documents(client, login_as, db_session)
    manager = login_as(Role.sales_manager)
    client.post(
        f"/clients/{person.id}/edit",
        data={**COMPANY, "full_name": person.full_name, "manager_id": str(manager.id)},
    )
    login_as(role)

    response = client.get(f"/clients/{person.id}")

    if not can_see_clients(role):
        assert response.status_code == 403
        return
    page = response.get_data(as_text=True)
    assert (leaked(page) == list(SECRETS)) is can_see_personal_data(role), role
    assert (leaked(page) == []) is not can_see_personal_data(role), role


def test_the_timeline_of_a_former_person_shows_analysts_no_documents(client, login_as, db_session):
    # A guard, not a fix: the timeline carries no card values (changes stay in the change log,
    # notification texts cannot offer documents: tests/unit/test_personal_data_rules.py).
    person = a_person_with_documents(client, login_as, db_session)
    manager = login_as(Role.sales_manager)
    client.post(
        f"/clients/{person.id}/edit",
        data={**COMPANY, "full_name": person.full_name, "manager_id": str(manager.id)},
    )
    client.post(
        f"/crm/clients/{person.id}/interactions",
        data={"kind": "call", "summary": "Обсудили договор", "body": "Перезвонить завтра"},
    )
    login_as(Role.analyst)

    page = client.get(f"/crm/clients/{person.id}/timeline").get_data(as_text=True)

    assert "Обсудили договор" in page
    assert leaked(page) == []
