"""The client card's own rules, in memory: who may edit it, the change log of a field, conflicts
with confirmed data, where the client came from, contacts and consents."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from models.clients.client import (
    Client,
    ClientConflict,
    ClientKind,
    Consent,
    ConsentKind,
    InvalidClientData,
    change_text,
    search_key,
)
from models.users.user import Role, User

AT = datetime(2026, 5, 4, 11, 0, tzinfo=UTC)
LATER = datetime(2026, 5, 6, 15, 30, tzinfo=UTC)


def employee(role: Role, user_id: int = 7) -> User:
    return User(id=user_id, role=role, email=f"{role.value}@test.local")


def card(**fields) -> Client:
    return Client(full_name="Смирнова Ольга", **fields)


@pytest.mark.parametrize("role", [Role.admin, Role.head_of_sales])
def test_management_edits_any_card_even_another_managers_client(role):
    assert card(manager_id=99).can_edit(employee(role))
    assert card(manager_id=None).can_edit(employee(role))


def test_a_sales_manager_edits_their_own_client_and_a_client_nobody_is_responsible_for():
    manager = employee(Role.sales_manager, user_id=7)
    assert card(manager_id=7).can_edit(manager)
    assert card(manager_id=None).can_edit(manager)
    assert not card(manager_id=8).can_edit(manager)


@pytest.mark.parametrize("role", [Role.analyst, Role.lawyer, Role.marketer, Role.mortgage_broker])
def test_other_roles_do_not_edit_cards_not_even_an_unassigned_one(role):
    assert not card(manager_id=None).can_edit(employee(role))
    assert not card(manager_id=7).can_edit(employee(role, user_id=7))


def test_nobody_logged_in_edits_no_card():
    assert not card(manager_id=None).can_edit(None)


@pytest.mark.parametrize("role", [Role.admin, Role.sales_manager])
def test_a_card_merged_into_another_is_edited_by_nobody(role):
    merged = card(manager_id=None, merged_into_id=3)
    assert merged.is_merged
    assert not merged.can_edit(employee(role))
    assert not card().is_merged


def test_a_changed_field_leaves_one_line_with_old_and_new_text_source_author_and_moment():
    person = card(birth_date=date(1985, 3, 5))

    person.set_field("birth_date", date(1985, 3, 6), source="online", user_id=7, at=AT)

    assert person.birth_date == date(1985, 3, 6)
    [line] = person.changes
    assert (line.field, line.old_value, line.new_value, line.source, line.user_id, line.at) == (
        "birth_date",
        "1985-03-05",
        "1985-03-06",
        "online",
        7,
        AT,
    )


def test_setting_a_field_to_what_it_already_says_writes_no_line():
    person = card(inn="500100732259", registration_address=None)
    person.set_field("inn", "500100732259", source="manual", user_id=7, at=AT)
    person.set_field("registration_address", "", source="manual", user_id=7, at=AT)  # empty = none
    assert person.changes == []


def test_clearing_a_field_records_its_old_value_and_no_new_one():
    person = card(snils="112-233-445 95")
    person.set_field("snils", None, source="manual", user_id=None, at=AT)
    assert person.snils is None
    [line] = person.changes
    assert (line.old_value, line.new_value, line.user_id) == ("112-233-445 95", None, None)


def test_a_renamed_client_is_found_by_the_new_name():
    person = card()
    person.set_field("full_name", "СЕМЁНОВА  Алёна", source="manual", user_id=7, at=AT)
    assert person.search_name == "семенова алена"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, None),
        ("", None),
        ([], None),
        (("inn",), "inn"),
        (["inn", "snils"], "inn, snils"),
        (date(2001, 2, 3), "2001-02-03"),
        (datetime(2026, 5, 4, 11, 0, tzinfo=UTC), "2026-05-04T11:00:00+00:00"),
        (ClientKind.company, "company"),
        (42, "42"),
        (0, "0"),
    ],
)
def test_a_value_is_written_to_the_change_log_as_text(value, text):
    assert change_text(value) == text


def test_search_key_of_nothing_is_empty():
    assert search_key(None) == ""
    assert search_key("Ёж  ёлкин") == "еж елкин"


def test_a_contradiction_of_a_confirmed_field_is_kept_aside_once_per_proposed_value():
    person = card(confirmed_fields=["birth_date"])
    assert person.is_confirmed("birth_date") and not person.is_confirmed("inn")

    person.flag_conflict("birth_date", "1990-05-17", source="online", current="1985-03-05", at=AT)
    person.flag_conflict("birth_date", "1990-05-17", source="import", current="1985-03-05", at=AT)
    person.flag_conflict("birth_date", "1991-01-01", source="online", current="1985-03-05", at=AT)
    person.flag_conflict("inn", "1990-05-17", source="online", current=None, at=AT)

    assert [(c.field, c.proposed_value, c.source) for c in person.open_conflicts] == [
        ("birth_date", "1990-05-17", "online"),
        ("birth_date", "1991-01-01", "online"),
        ("inn", "1990-05-17", "online"),
    ]
    first = person.open_conflicts[0]
    assert (first.current_value, first.at) == ("1985-03-05", AT)


def test_a_card_without_confirmed_fields_confirms_nothing():
    assert not card(confirmed_fields=None).is_confirmed("inn")


def test_a_resolved_conflict_is_no_longer_open_and_the_same_value_may_be_flagged_again():
    person = card()
    person.flag_conflict("inn", "500100732259", source="online", current=None, at=AT)
    person.open_conflicts[0].resolve("kept", user_id=7, at=LATER)

    assert person.open_conflicts == []
    person.flag_conflict("inn", "500100732259", source="online", current=None, at=LATER)
    assert len(person.open_conflicts) == 1 and len(person.conflicts) == 2


def test_a_conflict_is_resolved_once_by_whom_and_when():
    conflict = ClientConflict(field="inn", proposed_value="500100732259", source="online", at=AT)
    conflict.resolve("replaced", user_id=7, at=LATER)
    assert (conflict.resolution, conflict.resolved_by_id, conflict.resolved_at) == (
        "replaced",
        7,
        LATER,
    )
    with pytest.raises(InvalidClientData) as refused:
        conflict.resolve("kept", user_id=8, at=AT)
    assert refused.value.message == "Это расхождение уже разобрано"
    assert (conflict.resolution, conflict.resolved_by_id) == ("replaced", 7)


def test_the_first_touch_stays_and_the_last_one_moves():
    person = card()
    person.touch("site", "весна", AT)
    assert (person.first_touch_channel, person.first_touch_campaign, person.first_touch_at) == (
        "site",
        "весна",
        AT,
    )
    assert (person.last_touch_channel, person.last_touch_campaign, person.last_touch_at) == (
        "site",
        "весна",
        AT,
    )

    person.touch("call", None, LATER)
    assert (person.first_touch_channel, person.first_touch_campaign, person.first_touch_at) == (
        "site",
        "весна",
        AT,
    )
    assert (person.last_touch_channel, person.last_touch_campaign, person.last_touch_at) == (
        "call",
        None,
        LATER,
    )


def test_emails_are_kept_once_in_lower_case_and_the_first_becomes_the_main_one():
    person = card()
    assert person.add_email(" Olga@Mail.RU ") == "olga@mail.ru"
    assert person.add_email("olga@mail.ru") == "olga@mail.ru"
    assert person.add_email("work@firm.ru") == "work@firm.ru"
    assert person.add_email("") is None

    assert [e.email for e in person.emails] == ["olga@mail.ru", "work@firm.ru"]
    assert person.email == "olga@mail.ru"


def test_an_email_added_to_a_card_with_a_main_email_keeps_that_main_email():
    person = card(email="main@firm.ru")
    person.add_email("other@firm.ru")
    assert person.email == "main@firm.ru"
    assert [e.email for e in person.emails] == ["other@firm.ru"]


def test_phones_are_kept_once_in_e164_and_the_first_is_the_clients_phone():
    person = card()
    assert person.phone is None
    assert person.add_phone("8 916 123-45-67") == "+79161234567"
    assert person.add_phone("+7 (916) 123-45-67") == "+79161234567"
    assert person.add_phone("8 903 000-00-01") == "+79030000001"

    assert [p.phone for p in person.phones] == ["+79161234567", "+79030000001"]
    assert person.phone == "+79161234567"


def test_a_wrong_phone_is_refused_and_not_added():
    person = card()
    with pytest.raises(InvalidClientData) as refused:
        person.add_phone("12345")
    assert refused.value.field == "phone"
    assert person.phones == []


def test_consents_of_each_kind_are_separate_and_a_valid_one_is_not_given_twice():
    person = card()
    assert not person.has_consent()

    person.give_consent(ConsentKind.marketing, channel="online", text_version="v2", taken_by_id=7)
    assert person.has_consent(ConsentKind.marketing)
    assert not person.has_consent()  # personal data by default

    person.give_consent(ConsentKind.marketing, channel="office", text_version="v3", taken_by_id=8)
    [consent] = person.consents
    assert (consent.kind, consent.channel, consent.text_version, consent.taken_by_id) == (
        ConsentKind.marketing,
        "online",
        "v2",
        7,
    )


def test_a_revoked_consent_is_no_longer_valid_and_a_new_one_can_be_given():
    person = card()
    person.give_consent(
        ConsentKind.personal_data, channel="office", text_version="v1", taken_by_id=None
    )
    [old] = person.consents
    old.revoke(AT)
    assert (old.is_valid, old.revoked_at) == (False, AT)
    assert not person.has_consent(ConsentKind.personal_data)

    person.give_consent(
        ConsentKind.personal_data, channel="email", text_version="v2", taken_by_id=None
    )
    assert person.has_consent(ConsentKind.personal_data)
    assert [c.channel for c in person.consents] == ["office", "email"]


def test_a_consent_is_revoked_once_and_keeps_its_first_moment():
    consent = Consent(kind=ConsentKind.marketing, channel="online", text_version="v1")
    assert consent.is_valid
    consent.revoke(AT)
    with pytest.raises(InvalidClientData) as refused:
        consent.revoke(LATER)
    assert refused.value.message == "Это согласие уже отозвано"
    assert consent.revoked_at == AT
