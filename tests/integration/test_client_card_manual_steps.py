"""A manager's steps on a card (engine/clients/card) against the database: a consent taken by
hand with its channel and text version, a passport conflict replaced as its two parts, and an
edit that leaves an unchanged card without change lines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.clients.card import edit, give_consent, resolve_conflict
from models.clients.client import ClientKind, ConsentKind, InvalidClientData
from tests.factories.clients import client as make_client

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def card(db_session):
    return make_client(db_session, "Смирнова Ольга Петровна", phone="+79161110001")


def test_a_marketing_consent_taken_at_the_office_is_recorded_with_its_author_and_a_line(
    db_session, card, manager
):
    consent = give_consent(
        db_session,
        card,
        ConsentKind.marketing,
        channel="office",
        text_version="  v3 от 01.03.2026 ",
        user_id=manager.id,
        now=AT,
    )

    assert consent.id is not None and consent in card.consents
    assert (consent.kind, consent.channel, consent.text_version) == (
        ConsentKind.marketing,
        "office",
        "v3 от 01.03.2026",
    )
    assert (consent.taken_by_id, consent.given_at, consent.revoked_at) == (manager.id, AT, None)
    assert card.has_consent(ConsentKind.marketing)
    [line] = [c for c in card.changes if c.field == "consent"]
    assert (line.old_value, line.new_value, line.source, line.user_id, line.at) == (
        None,
        "Рекламные и маркетинговые сообщения: дано",
        "manual",
        manager.id,
        AT,
    )


def test_a_long_text_version_is_kept_to_its_first_fifty_characters(db_session, card, manager):
    version = "Согласие на рассылку, редакция " + "9" * 40
    consent = give_consent(
        db_session,
        card,
        ConsentKind.marketing,
        channel="email",
        text_version=version,
        user_id=manager.id,
        now=AT,
    )
    assert consent.text_version == version[:50]


@pytest.mark.parametrize(
    ("channel", "version", "field", "message"),
    [
        ("sms", "v1", "channel", "Выберите, как получено согласие"),
        ("", "v1", "channel", "Выберите, как получено согласие"),
        ("online", "   ", "text_version", "Укажите версию текста согласия"),
        ("online", None, "text_version", "Укажите версию текста согласия"),
    ],
)
def test_a_consent_without_a_known_channel_or_a_text_version_is_refused_and_not_written(
    db_session, card, manager, channel, version, field, message
):
    with pytest.raises(InvalidClientData) as refused:
        give_consent(
            db_session,
            card,
            ConsentKind.marketing,
            channel=channel,
            text_version=version,
            user_id=manager.id,
            now=AT,
        )
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not card.has_consent(ConsentKind.marketing)
    assert [c for c in card.changes if c.field == "consent"] == []


def test_a_second_valid_consent_of_one_kind_is_refused_by_its_name(db_session, card, manager):
    with pytest.raises(InvalidClientData) as refused:
        give_consent(
            db_session,
            card,
            ConsentKind.personal_data,
            channel="online",
            text_version="v2",
            user_id=manager.id,
            now=AT,
        )
    assert refused.value.message == (
        "Согласие «Обработка персональных данных (152-ФЗ)» уже действует"
    )
    assert len(card.consents) == 1


def test_a_consent_given_without_a_moment_is_dated_by_the_clock(db_session, card, manager, clock):
    consent = give_consent(
        db_session,
        card,
        ConsentKind.marketing,
        channel="online",
        text_version="v1",
        user_id=None,
        now=None,
    )
    assert consent.given_at == clock.now
    [line] = [c for c in card.changes if c.field == "consent"]
    assert (line.at, line.user_id) == (clock.now, None)


def test_replacing_a_passport_conflict_sets_its_series_and_number(db_session, card, manager):
    card.passport_series, card.passport_number = "4510", "123456"
    card.flag_conflict("passport", "4511 654321", source="online", current="4510 123456", at=AT)
    db_session.flush()
    [conflict] = card.open_conflicts

    resolve_conflict(db_session, card, conflict.id, replace=True, user_id=manager.id, now=AT)

    assert (card.passport_series, card.passport_number) == ("4511", "654321")
    lines = {c.field: (c.old_value, c.new_value, c.source) for c in card.changes}
    assert lines["passport_series"] == ("4510", "4511", "online")
    assert lines["passport_number"] == ("123456", "654321", "online")
    assert card.open_conflicts == []


def test_keeping_the_confirmed_value_changes_nothing_on_the_card(db_session, card, manager):
    card.passport_series, card.passport_number = "4510", "123456"
    card.flag_conflict("passport", "4511 654321", source="online", current="4510 123456", at=AT)
    db_session.flush()
    [conflict] = card.open_conflicts

    kept = resolve_conflict(
        db_session, card, conflict.id, replace=False, user_id=manager.id, now=AT
    )

    assert kept is conflict and kept.resolution == "kept"
    assert (card.passport_series, card.passport_number) == ("4510", "123456")
    assert [c for c in card.changes if c.field.startswith("passport")] == []


def test_saving_the_edit_form_unchanged_writes_no_change_line(db_session, manager):
    person = make_client(
        db_session,
        "Ромашкина Анна",
        phone="+79161110002",
        email="anna@example.ru",
        manager_id=manager.id,
        inn="500100732259",
        confirmed_fields=["inn"],
    )
    before = len(person.changes)

    edit(
        db_session,
        person,
        {
            "full_name": "Ромашкина Анна",
            "inn": "500100732259",
            "phones": ["+79161110002"],
            "emails": ["anna@example.ru"],
        },
        kind=ClientKind.person,
        confirmed=["inn"],
        manager_id=manager.id,
        user_id=manager.id,
        now=AT,
    )

    assert len(person.changes) == before
    assert ([p.phone for p in person.phones], [e.email for e in person.emails]) == (
        ["+79161110002"],
        ["anna@example.ru"],
    )
    assert (person.email, person.inn, person.confirmed_fields) == (
        "anna@example.ru",
        "500100732259",
        ["inn"],
    )
    assert person.last_touch_at is None  # no lead channel in the form
