"""Finding clients (engine/clients/search.py): fragments of phones, exact emails before
fragments, names with the characters SQL treats as wildcards, pages and the cap on matches."""

from __future__ import annotations

import pytest

from engine.clients import search as client_search
from models.clients.client import Client


def _names(page) -> list[str]:
    return [c.full_name for c in page.clients]


def _many(db_session, count: int, name: str = "Кузнецов") -> list[Client]:
    """`count` cards named "<name> 0001" … with phones +7 958 2xx xx xx, flushed at once."""
    made = []
    for number in range(1, count + 1):
        card = Client(full_name=f"{name} {number:04d}")
        card.add_phone(f"+795820{number:05d}")
        made.append(card)
    db_session.add_all(made)
    db_session.flush()
    return made


def test_three_digits_of_a_phone_are_enough_to_find_its_owner(db_session, make_client):
    owner = make_client("Смирнова Ольга", "+79161234567")
    make_client("Иванов Иван", "+79035550011")

    assert [c.id for c in client_search.search(db_session, "567").clients] == [owner.id]
    assert client_search.search(db_session, "56").clients == []


def test_a_phone_typed_with_dots_and_brackets_is_read_as_a_phone(db_session, make_client):
    owner = make_client("Смирнова Ольга", "+79161234567")

    assert [c.id for c in client_search.search(db_session, "(916) 123.45.67").clients] == [owner.id]
    assert [c.id for c in client_search.search(db_session, "123.45").clients] == [owner.id]


def test_a_fragment_starting_with_8_finds_the_same_number_written_with_7(db_session, make_client):
    owner = make_client("Смирнова Ольга", "+79161234567")
    make_client("Иванов Иван", "+79035550011")

    assert [c.id for c in client_search.search(db_session, "8916").clients] == [owner.id]
    assert [c.id for c in client_search.search(db_session, "8 916 12").clients] == [owner.id]


def test_an_8_fragment_shorter_than_four_digits_is_taken_as_typed(db_session, make_client):
    make_client("Смирнова Ольга", "+79161234567")  # holds "791" but no "891"
    holder = make_client("Иванов Иван", "+79038915555")

    assert [c.id for c in client_search.search(db_session, "891").clients] == [holder.id]


def test_a_full_number_finds_only_its_owner_not_the_numbers_containing_its_digits(
    db_session, make_client
):
    owner = make_client("Смирнова Ольга", "+79161234567")
    make_client("Иванов Иван", "+79035550011")

    found = client_search.search(db_session, "+7 916 123-45-67")

    assert [c.id for c in found.clients] == [owner.id]


def test_an_inn_of_a_company_or_a_person_is_found_by_its_digits(db_session, make_client):
    company = make_client("ООО «Ромашка»", "+74951112233", inn="7707083893")
    person = make_client("Смирнова Ольга", "+79161234567", inn="500100732259")

    assert [c.id for c in client_search.search(db_session, "7707083893").clients] == [company.id]
    assert [c.id for c in client_search.search(db_session, "500100732259").clients] == [person.id]


def test_an_exact_email_finds_only_its_owner_not_the_addresses_containing_it(
    db_session, make_client
):
    owner = make_client("Смирнова Ольга", "+79161234567", "olga@mail.ru")
    make_client("Ольга Почтовая", "+79035550011", "olga@mail.ru.com")

    found = client_search.search(db_session, "Olga@Mail.ru")

    assert [c.id for c in found.clients] == [owner.id]


def test_an_unknown_email_is_still_looked_for_as_a_fragment(db_session, make_client):
    owner = make_client("Смирнова Ольга", "+79161234567", "olga.smirnova@mail.ru")

    found = client_search.search(db_session, "smirnova@mail")

    assert [c.id for c in found.clients] == [owner.id]


def test_latin_letters_find_an_email_fragment_and_a_latin_name(db_session, make_client):
    by_email = make_client("Смирнова Ольга", "+79161234567", "petrov.family@mail.ru")
    by_name = make_client("Petrov Consulting", "+79035550011")

    found = client_search.search(db_session, "petrov")

    assert sorted(c.id for c in found.clients) == sorted([by_email.id, by_name.id])


@pytest.mark.parametrize(
    ("typed", "found", "not_found"),
    [
        ("100%", "ООО «100% Качество»", "ООО «1000 Мелочей»"),
        ("строй_инвест", "ООО «Строй_Инвест»", "ООО «Строй-Инвест»"),
        ("север\\юг", "ООО «Север\\Юг»", "ООО «Северюг»"),
    ],
)
def test_wildcard_characters_in_a_name_are_matched_literally(
    db_session, make_client, typed, found, not_found
):
    wanted = make_client(found, "+79161234567")
    make_client(not_found, "+79035550011")

    assert [c.id for c in client_search.search(db_session, typed).clients] == [wanted.id]


def test_page_zero_or_below_is_the_first_page(db_session):
    _many(db_session, 3)

    for page in (0, -2):
        shown = client_search.search(db_session, "кузнецов", page=page, per_page=2)
        assert shown.page == 1
        assert _names(shown) == ["Кузнецов 0001", "Кузнецов 0002"]
        assert shown.has_next


def test_pages_follow_each_other_in_name_order_without_gaps(db_session):
    _many(db_session, 7)

    pages = [client_search.search(db_session, "", page=n, per_page=3) for n in (1, 2, 3)]

    assert [_names(p) for p in pages] == [
        ["Кузнецов 0001", "Кузнецов 0002", "Кузнецов 0003"],
        ["Кузнецов 0004", "Кузнецов 0005", "Кузнецов 0006"],
        ["Кузнецов 0007"],
    ]
    assert [p.has_next for p in pages] == [True, True, False]
    assert [p.page for p in pages] == [1, 2, 3]


def test_a_page_exactly_full_has_no_next_page(db_session):
    _many(db_session, 4)

    full = client_search.search(db_session, "кузнецов", per_page=4)

    assert len(full.clients) == 4 and not full.has_next


def test_fifty_cards_fill_a_page_by_default(db_session):
    _many(db_session, client_search.PER_PAGE + 1)

    first = client_search.search(db_session, "")
    second = client_search.search(db_session, "", page=2)

    assert len(first.clients) == 50 and first.has_next
    assert _names(second) == ["Кузнецов 0051"]
    assert not second.has_next and not first.capped


def test_five_hundred_matches_are_flagged_as_capped(db_session):
    _many(db_session, client_search.CAP)
    _many(db_session, 1, name="Смирнова")

    capped = client_search.search(db_session, "кузнецов")
    everyone = client_search.search(db_session, "")

    assert capped.capped and capped.has_next
    assert _names(capped)[:2] == ["Кузнецов 0001", "Кузнецов 0002"]
    assert not everyone.capped  # no text: every card, nothing left out


def test_a_fragment_matching_many_phones_finds_at_most_the_cap(db_session):
    _many(db_session, client_search.CAP + 1)

    ids = client_search.matching_ids(db_session, "79582")

    assert len(ids) == 500


def test_an_8_fragment_finds_both_the_numbers_with_8_and_those_with_7(db_session, make_client):
    with_7 = make_client("Смирнова Ольга", "+79161234567")
    with_8 = make_client("Иванов Иван", "+79038916000")

    found = client_search.search(db_session, "8916")

    assert sorted(c.id for c in found.clients) == sorted([with_7.id, with_8.id])


def test_ten_digits_are_looked_for_both_as_a_phone_and_as_an_inn(db_session, make_client):
    by_phone = make_client("Смирнова Ольга", "+79161234567")
    by_inn = make_client("ООО «Девять»", "+74951112233", inn="9161234567")

    found = client_search.search(db_session, "9161234567")

    assert sorted(c.id for c in found.clients) == sorted([by_phone.id, by_inn.id])


def test_a_page_reads_the_phones_and_consents_of_all_its_cards_at_once(db_session, app):
    """The list shows each card's phones and consent: no query per card."""
    from sqlalchemy import event

    from web.extensions import db

    def queries_to_show(count: int, name: str) -> int:
        _many(db_session, count, name=name)
        db_session.expunge_all()
        statements = []

        def count_it(*_args):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count_it)
        try:
            page = client_search.search(db_session, name)
            shown = [(c.phone, len(c.phones), c.has_consent()) for c in page.clients]
        finally:
            event.remove(db.engine, "before_cursor_execute", count_it)
        assert len(shown) == count
        return len(statements)

    assert queries_to_show(2, "Кузнецов") == queries_to_show(6, "Петров")
