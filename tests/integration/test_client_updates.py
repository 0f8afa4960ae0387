"""Cards kept up to date by the sources that bring newer data (a reservation, an online
request, a document): fill, change, conflict on a confirmed field, the first touch kept."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.clients import card as client_card
from engine.clients import use_cases as clients
from models.clients.card import InvalidCardData
from models.clients.client import Client, ClientConflict
from tests.client_support import changes_of, counts


@pytest.fixture
def person(db_session, manager, make_client):
    return make_client("Смирнова Ольга Петровна", "+79161234567", manager_id=manager.id)


def test_a_source_adds_new_phones_and_emails_and_records_each(db_session, person, manager):
    result = clients.update_from_source(
        db_session,
        person,
        {"phones": ["8 (903) 555-66-77", "+7 916 123-45-67"], "emails": ["Olga@Mail.ru"]},
        "document",
        user_id=manager.id,
    )
    db_session.commit()

    assert [p.phone for p in person.phones] == ["+79161234567", "+79035556677"]
    assert [e.email for e in person.emails] == ["olga@mail.ru"]
    assert person.email == "olga@mail.ru"
    added = changes_of(db_session, person, "phone")
    assert [(c.old_value, c.new_value, c.source, c.user_id) for c in added] == [
        (None, "+79035556677", "document", manager.id)
    ]
    assert result.changed == ["phone", "email"]


def test_empty_fields_are_filled_and_changed_ones_updated_with_the_source(db_session, person):
    person.registration_address = "г. Москва, ул. Старая, 1"
    db_session.commit()

    clients.update_from_source(
        db_session,
        person,
        {"birth_date": "05.03.1985", "registration_address": "г. Москва, ул. Новая, 2"},
        "online",
    )
    db_session.commit()

    assert person.birth_date == date(1985, 3, 5)
    assert person.registration_address == "г. Москва, ул. Новая, 2"
    filled = changes_of(db_session, person, "birth_date")[0]
    assert (filled.old_value, filled.new_value, filled.source) == (None, "1985-03-05", "online")
    moved = changes_of(db_session, person, "registration_address")[0]
    assert moved.old_value == "г. Москва, ул. Старая, 1"
    assert moved.at is not None


def test_the_same_data_again_changes_nothing(db_session, person):
    data = {"full_name": "Смирнова Ольга Петровна", "phones": ["+79161234567"]}
    before = counts(db_session)

    result = clients.update_from_source(db_session, person, data, "online")
    db_session.commit()

    assert result.changed == [] and result.conflicts == []
    assert counts(db_session) == before


def test_a_confirmed_passport_is_not_overwritten_but_flagged_once(db_session, person):
    person.passport_series, person.passport_number = "4510", "123456"
    person.confirmed_fields = ["passport_series", "passport_number"]
    db_session.commit()
    other = {"passport_series": "4511", "passport_number": "654321", "birth_date": "1985-03-05"}

    first = clients.update_from_source(db_session, person, other, "online")
    clients.update_from_source(db_session, person, other, "online")  # the same request again
    db_session.commit()

    assert (person.passport_series, person.passport_number) == ("4510", "123456")
    assert person.birth_date == date(1985, 3, 5)  # not confirmed: filled
    conflict = db_session.scalars(select(ClientConflict)).one()
    assert (conflict.field, conflict.current_value, conflict.proposed_value) == (
        "passport",
        "4510 123456",
        "4511 654321",
    )
    assert conflict.source == "online" and conflict.resolved_at is None
    assert first.conflicts == ["passport"]
    assert changes_of(db_session, person, "passport_number") == []


def test_an_empty_confirmed_field_is_filled_not_flagged(db_session, person):
    person.confirmed_fields = ["snils"]
    db_session.commit()

    clients.update_from_source(db_session, person, {"snils": "11223344595"}, "document")
    db_session.commit()

    assert person.snils == "112-233-445 95"
    assert db_session.scalars(select(ClientConflict)).all() == []


def test_the_manager_keeps_or_replaces_a_conflicting_value(db_session, person, manager):
    person.inn = "500100732259"
    person.passport_series, person.passport_number = "4510", "123456"
    person.confirmed_fields = ["inn", "passport_number"]
    db_session.commit()
    clients.update_from_source(
        db_session,
        person,
        {"inn": "773401001057", "passport_series": "4511", "passport_number": "654321"},
        "document",
    )
    db_session.commit()
    by_field = {c.field: c for c in db_session.scalars(select(ClientConflict))}

    client_card.resolve_conflict(
        db_session, person, by_field["inn"].id, replace=False, user_id=manager.id
    )
    client_card.resolve_conflict(
        db_session, person, by_field["passport"].id, replace=True, user_id=manager.id
    )
    db_session.commit()

    assert person.inn == "500100732259"
    assert (person.passport_series, person.passport_number) == ("4511", "654321")
    assert by_field["inn"].resolution == "kept"
    assert by_field["passport"].resolution == "replaced"
    assert by_field["passport"].resolved_by_id == manager.id
    assert person.open_conflicts == []
    replaced = changes_of(db_session, person, "passport_number")[0]
    assert (replaced.old_value, replaced.new_value, replaced.user_id) == (
        "123456",
        "654321",
        manager.id,
    )


def test_the_first_touch_is_never_overwritten(db_session, person):
    clients.update_from_source(
        db_session, person, {"lead_channel": "Циан", "lead_campaign": "осень"}, "online"
    )
    first_at = person.first_touch_at
    clients.update_from_source(
        db_session, person, {"lead_channel": "Авито", "lead_campaign": "зима"}, "online"
    )
    db_session.commit()

    assert (person.first_touch_channel, person.first_touch_campaign) == ("Циан", "осень")
    assert person.first_touch_at == first_at
    assert (person.last_touch_channel, person.last_touch_campaign) == ("Авито", "зима")


@pytest.mark.parametrize(
    "bad",
    [
        {"inn": "500100732258", "phones": ["+79035556677"]},
        {"snils": "112-233-445 96", "full_name": "Другое Имя"},
        {"phones": ["12345"], "birth_date": "1985-03-05"},
        {"emails": ["olga@"], "registration_address": "Новый адрес"},
        {"birth_date": (date.today() + timedelta(days=1)).isoformat()},
    ],
)
def test_bad_data_from_a_source_writes_nothing(db_session, person, bad):
    before = counts(db_session)

    with pytest.raises(InvalidCardData):
        clients.update_from_source(db_session, person, bad, "online")
    assert not db_session.dirty and not db_session.new
    db_session.commit()

    assert counts(db_session) == before
    assert person.full_name == "Смирнова Ольга Петровна"


def test_an_office_request_updates_the_card_found_by_phone(db_session, person, manager):
    found = clients.find_or_create(
        db_session,
        full_name="",
        phone="8 916 123-45-67",
        email="olga@mail.ru",
        consent=False,
        channel="office",
        taken_by_id=manager.id,
    )
    db_session.commit()

    assert found.id == person.id
    assert person.full_name == "Смирнова Ольга Петровна"  # an empty name changes nothing
    added = changes_of(db_session, person, "email")[0]
    assert (added.new_value, added.source, added.user_id) == ("olga@mail.ru", "office", manager.id)


def test_an_online_request_finds_the_client_by_email_and_adds_the_new_phone(
    db_session, manager, make_client
):
    known = make_client("Иванов Иван", "+79161112233", "ivan@mail.ru", manager_id=manager.id)

    found = clients.find_or_create(
        db_session,
        full_name="Иванов Иван Сергеевич",
        phone="+7 903 000-11-22",
        email="Ivan@mail.ru",
        consent=True,
        channel="online",
        taken_by_id=None,
    )
    db_session.commit()

    assert found.id == known.id
    assert db_session.scalar(select(func.count()).select_from(Client)) == 1
    assert {p.phone for p in known.phones} == {"+79161112233", "+79030001122"}
    assert known.full_name == "Иванов Иван Сергеевич"
    assert {c.source for c in changes_of(db_session, known, "phone")} == {"online"}
