"""A manager's edit of a client card (engine/clients/card.edit) against the database: the fields of
the other kind are cleared, contacts are replaced, and every change is a manual line with its
author and moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.clients.card import edit
from models.clients.client import ClientKind
from tests.factories.clients import client as make_client

AT = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)


@pytest.fixture
def card(db_session, manager):
    person = make_client(
        db_session,
        "Ромашка",
        phone="+79161110001",
        email="old@example.ru",
        kind=ClientKind.company,
        kpp="770101001",
        representative="Иванов И. И.",
    )
    person.add_phone("+79161110002")
    db_session.flush()
    return person


def changes(card, since=AT) -> dict[str, tuple]:
    return {
        c.field: (c.old_value, c.new_value, c.source, c.user_id)
        for c in card.changes
        if c.at == since
    }


def edit_card(db_session, card, user, kind=ClientKind.person, **data):
    form = {
        "full_name": "Ромашкина Анна",
        "phones": ["+79161110002", "+79161110003"],
        "emails": ["new@example.ru", "second@example.ru"],
        "kpp": "770101001",  # a company field still in the form of a person
        **data,
    }
    edit(
        db_session,
        card,
        form,
        kind=kind,
        confirmed=data.pop("confirmed", ()),
        manager_id=user.id,
        user_id=user.id,
        now=AT,
    )


def test_a_person_keeps_no_company_fields_and_each_change_is_a_manual_line(
    db_session, card, manager
):
    edit_card(db_session, card, manager)

    assert card.kind == ClientKind.person
    assert (card.full_name, card.kpp, card.representative) == ("Ромашкина Анна", None, None)
    lines = changes(card)
    assert lines["full_name"] == ("Ромашка", "Ромашкина Анна", "manual", manager.id)
    assert lines["kpp"] == ("770101001", None, "manual", manager.id)
    assert lines["representative"] == ("Иванов И. И.", None, "manual", manager.id)
    assert lines["kind"][1:] == ("person", "manual", manager.id)
    assert card.manager_id == manager.id  # the responsible manager chosen in the form
    assert lines["manager_id"] == (None, str(manager.id), "manual", manager.id)


def test_a_company_keeps_no_person_fields(db_session, card, manager):
    card.kind = ClientKind.person
    card.registration_address = "г. Москва"
    db_session.flush()

    edit_card(db_session, card, manager, kind=ClientKind.company, representative="Петров П. П.")

    assert (card.kind, card.registration_address) == (ClientKind.company, None)
    assert (card.kpp, card.representative) == ("770101001", "Петров П. П.")


def test_contacts_are_replaced_and_the_first_email_becomes_the_main_one(db_session, card, manager):
    edit_card(db_session, card, manager)

    assert sorted(p.phone for p in card.phones) == ["+79161110002", "+79161110003"]
    assert sorted(e.email for e in card.emails) == ["new@example.ru", "second@example.ru"]
    assert card.email == "new@example.ru"
    contact_lines = sorted(
        (
            (c.field, c.old_value, c.new_value, c.source, c.user_id)
            for c in card.changes
            if c.at == AT and c.field in ("phone", "email")
        ),
        key=lambda line: [str(part) for part in line],
    )
    assert contact_lines == [
        ("email", None, "new@example.ru", "manual", manager.id),
        ("email", None, "second@example.ru", "manual", manager.id),
        ("email", "old@example.ru", None, "manual", manager.id),
        ("email", "old@example.ru", "new@example.ru", "manual", manager.id),
        ("phone", "+79161110001", None, "manual", manager.id),
        ("phone", None, "+79161110003", "manual", manager.id),
    ]


def test_removing_every_email_clears_the_main_one(db_session, card, manager):
    edit_card(db_session, card, manager, emails=[])
    assert card.emails == [] and card.email is None


def test_confirmed_groups_are_stored_as_their_columns_once(db_session, card, manager):
    edit_card(db_session, card, manager, confirmed=["passport", "inn"])
    assert card.confirmed_fields == sorted(
        ["inn", "passport_issued_by", "passport_issued_on", "passport_number", "passport_series"]
    )
    assert changes(card)["confirmed_fields"][2:] == ("manual", manager.id)

    card.confirmed_fields = list(reversed(card.confirmed_fields))  # the same, in another order
    before = len(card.changes)
    edit_card(db_session, card, manager, confirmed=["inn", "passport"])
    assert len(card.changes) == before


def test_the_lead_channel_of_an_edit_is_the_clients_touch(db_session, card, manager):
    edit_card(db_session, card, manager, lead_channel="call", lead_campaign="весна")
    assert (card.last_touch_channel, card.last_touch_campaign, card.last_touch_at) == (
        "call",
        "весна",
        AT,
    )


def test_an_edit_without_a_moment_is_dated_by_the_clock(db_session, card, manager, clock):
    edit(
        db_session,
        card,
        {
            "full_name": "Новое имя",
            "phones": ["+79161110001"],
            "emails": [],
            "lead_channel": "call",
        },
        kind=ClientKind.company,
        confirmed=(),
        manager_id=manager.id,
        user_id=manager.id,
    )
    [line] = [c for c in card.changes if c.field == "full_name"]
    assert line.at == clock.now
    assert card.last_touch_at == clock.now


def test_a_form_without_contacts_leaves_the_card_without_them(db_session, card, manager):
    edit(
        db_session,
        card,
        {"full_name": "Ромашка"},
        kind=ClientKind.company,
        confirmed=(),
        manager_id=None,
        user_id=manager.id,
        now=AT,
    )
    assert (card.phones, card.emails, card.email) == ([], [], None)
