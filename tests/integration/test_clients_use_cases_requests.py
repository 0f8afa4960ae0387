"""A buyer's request finds or makes the card (engine/clients/use_cases.find_or_create), a card
is created from the checked form (create), and a source keeps it up to date
(update_from_source): what each writes, and what each refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from engine.clients import use_cases as clients
from engine.sales.actions import lock_client
from models.clients.card import InvalidCardData
from models.clients.client import (
    Client,
    ClientChange,
    ClientConflict,
    ClientKind,
    Consent,
    ConsentKind,
    InvalidClientData,
)
from tests.client_support import changes_of, counts

AT = datetime(2026, 2, 3, 14, 0, tzinfo=UTC)


def _request(db_session, **given) -> Client:
    request = {
        "full_name": "Смирнова Ольга Петровна",
        "phone": "8 916 123-45-67",
        "email": None,
        "consent": True,
        "channel": "online",
        "taken_by_id": None,
        **given,
    }
    return clients.find_or_create(db_session, **request)


# find_or_create: a new buyer


def test_a_first_request_makes_a_card_for_its_taker_with_the_consent_of_its_channel(
    db_session, manager
):
    card = _request(
        db_session,
        full_name="  Смирнова Ольга Петровна ",
        email="Olga@Mail.ru",
        channel="office",
        taken_by_id=manager.id,
    )
    db_session.commit()

    assert card.full_name == "Смирнова Ольга Петровна"
    assert card.manager_id == manager.id
    assert [p.phone for p in card.phones] == ["+79161234567"]
    assert [e.email for e in card.emails] == ["olga@mail.ru"] and card.email == "olga@mail.ru"
    [consent] = db_session.scalars(select(Consent)).all()
    assert (consent.client_id, consent.kind, consent.channel) == (
        card.id,
        ConsentKind.personal_data,
        "office",
    )
    assert (consent.text_version, consent.taken_by_id) == ("2025-09-01", manager.id)


def test_a_first_request_without_an_email_makes_a_card_without_one(db_session):
    card = _request(db_session, email="  ")
    db_session.commit()

    assert card.emails == [] and card.email is None


@pytest.mark.parametrize("name", ["", "   ", None])
def test_a_new_buyer_without_a_name_is_refused(db_session, name):
    before = counts(db_session)

    with pytest.raises(InvalidClientData) as refused:
        _request(db_session, full_name=name)

    assert (refused.value.message, refused.value.field) == ("Укажите ФИО клиента", "full_name")
    db_session.rollback()
    assert counts(db_session) == before


def test_a_name_of_three_hundred_characters_is_kept_and_a_longer_one_refused(db_session):
    longest = "Я" * 300

    card = _request(db_session, full_name=longest)
    with pytest.raises(InvalidClientData) as refused:
        _request(db_session, full_name="Я" * 301, phone="+79035556677")

    assert card.full_name == longest
    assert (refused.value.message, refused.value.field) == ("ФИО длиннее 300 символов", "full_name")


def test_a_new_buyer_without_consent_is_refused(db_session):
    with pytest.raises(InvalidClientData) as refused:
        _request(db_session, consent=False)

    assert refused.value.message == (
        "Нужно согласие клиента на обработку персональных данных (152-ФЗ)"
    )
    assert refused.value.field == "consent"


# find_or_create: a known buyer


def test_a_known_client_who_never_consented_gives_consent_with_the_request(
    db_session, make_client, manager
):
    known = make_client("Смирнова Ольга Петровна", "+79161234567", personal_data=False)

    found = _request(db_session, consent=True, channel="office", taken_by_id=manager.id)
    db_session.commit()

    assert found.id == known.id
    [consent] = known.consents
    assert (consent.channel, consent.taken_by_id) == ("office", manager.id)


def test_a_known_client_without_consent_and_none_given_is_refused(db_session, make_client):
    make_client("Смирнова Ольга Петровна", "+79161234567", personal_data=False)

    with pytest.raises(InvalidClientData) as refused:
        _request(db_session, consent=False)

    assert refused.value.field == "consent"


def test_a_known_client_who_consented_before_needs_no_new_consent(db_session, make_client):
    known = make_client("Смирнова Ольга Петровна", "+79161234567")

    found = _request(db_session, consent=False, full_name="Смирнова Ольга")
    db_session.commit()

    assert found.id == known.id
    assert len(known.consents) == 1
    assert known.full_name == "Смирнова Ольга"
    [renamed] = changes_of(db_session, known, "full_name")
    assert (renamed.old_value, renamed.new_value, renamed.source) == (
        "Смирнова Ольга Петровна",
        "Смирнова Ольга",
        "online",
    )


def test_a_request_with_an_unknown_phone_and_no_email_makes_a_new_card(db_session, make_client):
    known = make_client("Смирнова Ольга Петровна", "+79161234567", "olga@mail.ru")

    card = _request(db_session, phone="+79035556677", email=None)
    db_session.commit()

    assert card.id != known.id
    assert db_session.scalar(select(func.count()).select_from(Client)) == 2


def test_the_phone_wins_over_the_email_when_they_belong_to_two_cards(db_session, make_client):
    make_client("Иванов Иван", "+79035556677", "olga@mail.ru")
    by_phone = make_client("Смирнова Ольга Петровна", "+79161234567")

    found = _request(db_session, email="olga@mail.ru")

    assert found.id == by_phone.id


def test_a_merged_card_is_not_found_by_its_old_phone_or_email(db_session, make_client):
    keep = make_client("Смирнова Ольга Петровна", "+79035556677")
    drop = make_client("Смирнова О. П.", "+79161234567", "olga@mail.ru")
    drop.merged_into_id = keep.id  # a card merged before its contacts were moved (old data)
    db_session.flush()

    assert clients.find_by_phone(db_session, "+79161234567") is None
    assert clients.find_by_email(db_session, "olga@mail.ru") is None


def test_of_two_cards_with_one_phone_the_older_is_found(db_session, make_client):
    older = make_client("Смирнова Ольга Петровна", "+79161234567", "olga@mail.ru")
    make_client("Смирнова Ольга", "+79161234567", "olga@mail.ru")

    assert clients.find_by_phone(db_session, "+79161234567").id == older.id
    assert clients.find_by_email(db_session, "olga@mail.ru").id == older.id


# possible_duplicates


def test_possible_duplicates_share_a_phone_or_an_email_and_leave_out_the_card_itself(
    db_session, make_client
):
    card = make_client("Смирнова Ольга Петровна", "+79161234567", "olga@mail.ru")
    same_phone = make_client("Смирнова О.", "+79161234567")
    same_email = make_client("Ольга С.", "+79035556677", "olga@mail.ru")
    make_client("Иванов Иван", "+79261112233", "ivan@mail.ru")
    merged = make_client("Смирнова", "+79161234567")
    merged.merged_into_id = card.id
    db_session.flush()

    by_phone = clients.possible_duplicates(db_session, ["+79161234567"], [])
    by_email = clients.possible_duplicates(db_session, [], ["olga@mail.ru"])
    for_card = clients.possible_duplicates(
        db_session, ["+79161234567"], ["olga@mail.ru"], exclude_id=card.id
    )

    assert [c.id for c in by_phone] == [card.id, same_phone.id]
    assert [c.id for c in by_email] == [card.id, same_email.id]
    assert [c.id for c in for_card] == [same_phone.id, same_email.id]
    assert clients.possible_duplicates(db_session, [], []) == []


# create


def test_a_card_created_from_the_form_holds_its_fields_contacts_and_lead_source(
    db_session, manager, head
):
    data = {
        "full_name": "ООО «Ромашка»",
        "inn": "7707083893",
        "kpp": "770701001",
        "representative": "Иванов Иван",
        "phones": ["+74951112233", "+79161234567"],
        "emails": ["office@romashka.ru", "sales@romashka.ru"],
        "lead_channel": "Циан",
        "lead_campaign": "осень-2026",
    }

    card = clients.create(
        db_session,
        data,
        kind=ClientKind.company,
        manager_id=manager.id,
        user_id=head.id,
        now=AT,
    )
    db_session.commit()

    assert (card.kind, card.manager_id, card.created_at) == (ClientKind.company, manager.id, AT)
    assert (card.inn, card.kpp, card.representative) == ("7707083893", "770701001", "Иванов Иван")
    assert [p.phone for p in card.phones] == ["+74951112233", "+79161234567"]
    assert [e.email for e in card.emails] == ["office@romashka.ru", "sales@romashka.ru"]
    assert card.email == "office@romashka.ru"
    assert (card.first_touch_channel, card.first_touch_campaign, card.first_touch_at) == (
        "Циан",
        "осень-2026",
        AT,
    )
    [created] = changes_of(db_session, card, "created")
    assert (created.new_value, created.source, created.user_id) == (
        "ООО «Ромашка»",
        "manual",
        head.id,
    )


def test_a_card_created_without_a_lead_channel_has_no_touch(db_session, manager, clock):
    card = clients.create(
        db_session,
        {"full_name": "Смирнова Ольга Петровна", "phones": ["+79161234567"]},
        kind=ClientKind.person,
        manager_id=None,
        user_id=manager.id,
    )
    db_session.commit()

    assert card.first_touch_at is None and card.last_touch_channel is None
    assert card.created_at == clock.now
    assert card.manager_id is None and card.kind == ClientKind.person


# update_from_source


def test_an_update_reports_each_changed_field_by_name_in_card_order(db_session, make_client):
    card = make_client("Смирнова Ольга", "+79161234567")

    result = clients.update_from_source(
        db_session,
        card,
        {
            "emails": ["olga@mail.ru"],
            "phones": ["+79035556677"],
            "birth_date": "1985-03-05",
            "inn": "500100732259",
            "passport_series": "4510",
            "passport_number": "123456",
        },
        "document",
        now=AT,
    )

    assert result.changed == ["passport", "inn", "birth_date", "phone", "email"]
    assert result.conflicts == []


def test_half_a_passport_from_a_source_is_refused(db_session, make_client):
    card = make_client("Смирнова Ольга", "+79161234567")

    with pytest.raises(InvalidClientData):
        clients.update_from_source(db_session, card, {"passport_series": "4510"}, "online")

    assert (card.passport_series, card.passport_number) == (None, None)


def test_a_confirmed_field_left_as_an_empty_text_is_filled_not_flagged(db_session, make_client):
    card = make_client(
        "Смирнова Ольга",
        "+79161234567",
        registration_address="",
        confirmed_fields=["registration_address"],
    )

    result = clients.update_from_source(
        db_session, card, {"registration_address": "г. Москва, ул. Новая, 2"}, "document", now=AT
    )
    db_session.commit()

    assert card.registration_address == "г. Москва, ул. Новая, 2"
    assert result.changed == ["registration_address"] and result.conflicts == []
    assert db_session.scalars(select(ClientConflict)).all() == []


def test_a_long_lead_channel_is_kept_to_its_first_hundred_characters(db_session, make_client):
    card = make_client("Смирнова Ольга", "+79161234567")
    channel = "utm_source=" + "x" * 120

    clients.update_from_source(db_session, card, {"lead_channel": channel}, "online", now=AT)

    assert card.first_touch_channel == channel[:100]
    assert card.last_touch_channel == channel[:100]
    assert card.last_touch_at == AT


def test_a_birth_date_after_the_moment_of_the_update_is_refused(db_session, make_client):
    card = make_client("Смирнова Ольга", "+79161234567")

    with pytest.raises(InvalidClientData):
        clients.update_from_source(
            db_session, card, {"birth_date": "2026-03-01"}, "document", now=AT
        )

    assert card.birth_date is None


def test_an_update_dated_in_the_past_dates_its_lines_by_that_moment(db_session, make_client):
    card = make_client("Смирнова Ольга", "+79161234567")

    clients.update_from_source(
        db_session,
        card,
        {"birth_date": date(1985, 3, 5), "phones": ["+79035556677"]},
        "online",
        now=AT,
    )
    db_session.commit()

    lines = db_session.scalars(
        select(ClientChange).where(ClientChange.client_id == card.id, ClientChange.at == AT)
    ).all()
    assert sorted(line.field for line in lines) == ["birth_date", "phone"]


def test_a_company_inn_for_a_person_card_is_refused(db_session, make_client):
    card = make_client("Смирнова Ольга", "+79161234567")

    with pytest.raises(InvalidCardData) as refused:
        clients.update_from_source(db_session, card, {"inn": "7707083893"}, "document", now=AT)

    assert refused.value.errors == {"inn": "ИНН физического лица — 12 цифр"}
    assert card.inn is None


def test_a_request_with_new_contacts_makes_a_new_card_beside_the_known_ones(
    db_session, make_client
):
    known = make_client("Смирнова Ольга Петровна", "+79161234567", "olga@mail.ru")

    card = _request(db_session, full_name="Иванов Иван", phone="+79035556677", email="ivan@mail.ru")
    db_session.commit()

    assert card.id != known.id
    assert (card.full_name, card.email) == ("Иванов Иван", "ivan@mail.ru")
    assert known.full_name == "Смирнова Ольга Петровна"


def test_a_card_is_found_by_its_own_email_among_others(db_session, make_client):
    make_client("Смирнова Ольга Петровна", "+79161234567", "olga@mail.ru")
    ivan = make_client("Иванов Иван", "+79035556677", "ivan@mail.ru")

    assert clients.find_by_email(db_session, "ivan@mail.ru").id == ivan.id
    assert clients.find_by_email(db_session, "petr@mail.ru") is None
    assert clients.find_by_phone(db_session, "+79035556677").id == ivan.id
    assert clients.find_by_phone(db_session, "+79260000000") is None


def _statements_while(action) -> tuple[object, int]:
    from sqlalchemy import event

    from web.extensions import db

    statements = []

    def count_it(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", count_it)
    try:
        result = action()
    finally:
        event.remove(db.engine, "before_cursor_execute", count_it)
    return result, len(statements)


def test_a_new_card_counts_as_locked_for_the_limit_check_of_its_own_transaction(db_session):
    """Nobody else sees a card before its transaction commits: the reservation's limit check
    takes it as it is instead of reading it again under a lock."""
    card = _request(db_session)

    locked, statements = _statements_while(lambda: lock_client(db_session, card.id))

    assert locked is card and statements == 0


def test_a_known_card_is_read_again_under_lock_for_the_limit_check(db_session, make_client):
    known = make_client("Смирнова Ольга Петровна", "+79161234567")
    found = _request(db_session)

    locked, statements = _statements_while(lambda: lock_client(db_session, found.id))

    assert locked is known and statements == 1
