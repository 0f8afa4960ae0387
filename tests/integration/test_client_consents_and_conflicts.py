"""Consents and conflicts on a client card (engine/clients/card), against the database: what is
written, with whom and when, and what is refused with which message."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.clients.card import resolve_conflict, revoke_consent
from models.clients.card import CONFIRMABLE, confirmed_columns, confirmed_groups
from models.clients.client import ConsentKind, InvalidClientData
from models.db.errors import NotFound
from tests.factories.clients import client as make_client

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def card(db_session):
    return make_client(db_session, "Смирнова Ольга Петровна", marketing=True)


@pytest.fixture
def stranger(db_session):
    return make_client(db_session, "Петров Пётр", marketing=True)


def consent_of(person, kind=ConsentKind.marketing):
    return next(c for c in person.consents if c.kind == kind)


def test_a_revoked_consent_leaves_a_manual_line_with_its_author_and_moment(
    db_session, card, manager
):
    consent = revoke_consent(db_session, card, consent_of(card).id, user_id=manager.id, now=AT)

    assert consent.revoked_at == AT and not card.has_consent(ConsentKind.marketing)
    [line] = [c for c in card.changes if c.field == "consent"]
    assert (line.old_value, line.new_value, line.source, line.user_id, line.at) == (
        None,
        "Рекламные и маркетинговые сообщения: отозвано",
        "manual",
        manager.id,
        AT,
    )


def test_a_consent_is_revoked_once(db_session, card, manager):
    consent_id = consent_of(card).id
    revoke_consent(db_session, card, consent_id, user_id=manager.id, now=AT)
    with pytest.raises(InvalidClientData) as refused:
        revoke_consent(db_session, card, consent_id, user_id=manager.id, now=AT)
    assert refused.value.message == "Это согласие уже отозвано"


def test_another_clients_consent_is_not_found_on_this_card(db_session, card, stranger, manager):
    theirs = consent_of(stranger)
    with pytest.raises(NotFound) as refused:
        revoke_consent(db_session, card, theirs.id, user_id=manager.id, now=AT)
    assert refused.value.message == "Такого согласия в карточке нет"
    assert theirs.revoked_at is None
    with pytest.raises(NotFound):
        revoke_consent(db_session, card, 999999, user_id=manager.id, now=AT)


def conflict_on(db_session, person, field="birth_date", proposed="1990-05-17"):
    person.flag_conflict(field, proposed, source="online", current=None, at=AT)
    db_session.flush()
    return person.open_conflicts[-1]


def test_replacing_takes_the_proposed_value_at_that_moment_with_its_source(
    db_session, card, manager
):
    conflict = conflict_on(db_session, card)
    later = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)

    resolve_conflict(db_session, card, conflict.id, replace=True, user_id=manager.id, now=later)

    assert card.birth_date == date(1990, 5, 17)
    [line] = [c for c in card.changes if c.field == "birth_date"]
    assert (line.new_value, line.source, line.user_id, line.at) == (
        "1990-05-17",
        "online",
        manager.id,
        later,
    )
    assert (conflict.resolution, conflict.resolved_by_id, conflict.resolved_at) == (
        "replaced",
        manager.id,
        later,
    )


def test_a_conflict_is_resolved_once(db_session, card, manager):
    conflict = conflict_on(db_session, card)
    resolve_conflict(db_session, card, conflict.id, replace=False, user_id=manager.id, now=AT)
    with pytest.raises(InvalidClientData) as refused:
        resolve_conflict(db_session, card, conflict.id, replace=True, user_id=manager.id, now=AT)
    assert refused.value.message == "Это расхождение уже разобрано"
    assert card.birth_date is None


def test_another_clients_conflict_is_not_found_on_this_card(db_session, card, stranger, manager):
    theirs = conflict_on(db_session, stranger)
    with pytest.raises(NotFound) as refused:
        resolve_conflict(db_session, card, theirs.id, replace=True, user_id=manager.id, now=AT)
    assert refused.value.message == "Такого расхождения в карточке нет"
    assert theirs.resolved_at is None and card.birth_date is None


def test_confirmed_groups_and_their_columns_go_both_ways():
    columns = confirmed_columns(["passport", "inn", "no_such_group"])
    assert columns == [*CONFIRMABLE["passport"], "inn"]
    assert confirmed_groups(columns) == ["passport", "inn"]
    assert confirmed_groups(["passport_number"]) == ["passport"]  # one column marks its group
    assert confirmed_groups(None) == [] and confirmed_groups([]) == []


def test_replacing_a_text_field_takes_the_proposed_text_as_it_is(db_session, card, manager):
    conflict = conflict_on(db_session, card, field="inn", proposed="500100732259")
    resolve_conflict(db_session, card, conflict.id, replace=True, user_id=manager.id, now=AT)
    assert card.inn == "500100732259"
