"""Finding clients by whatever a manager types — on the real database."""

from __future__ import annotations

import pytest

from engine.clients import search as client_search
from engine.clients import use_cases as clients
from models.clients.client import ClientKind


@pytest.fixture
def directory(db_session, manager, make_client):
    made = {
        "olga": make_client("Смирнова Ольга Петровна", "+79161234567", manager_id=manager.id),
        "ivan": make_client(
            "Иванов Иван", "+79035550011", "Ivan.Petrov@Mail.ru", manager_id=manager.id
        ),
        "semen": make_client("Семёнов Алексей", "+79269876543", manager_id=manager.id),
    }
    made["olga"].inn = "500100732259"
    company = clients.create(
        db_session,
        {"full_name": "ООО «Ромашка»", "inn": "7707083893", "phones": ["+74951112233"]},
        kind=ClientKind.company,
        manager_id=manager.id,
        user_id=manager.id,
    )
    made["company"] = company
    db_session.commit()
    return made


@pytest.mark.parametrize(
    ("typed", "who"),
    [
        ("8 916 123-45-67", "olga"),
        ("+7 (916) 1234567", "olga"),
        ("89161234567", "olga"),
        ("4567", "olga"),
        ("123-45-67", "olga"),
        ("8 916 123", "olga"),
        ("смирнова", "olga"),
        ("СМИРНОВА ольга", "olga"),
        ("ольга смирн", "olga"),
        ("семенов", "semen"),  # ё typed as е
        ("ivan.petrov@mail.ru", "ivan"),
        ("IVAN.PETROV", "ivan"),
        ("500100732259", "olga"),
        ("7707083893", "company"),
        ("ромашка", "company"),
    ],
)
def test_a_client_is_found_by_whatever_the_manager_types(db_session, directory, typed, who):
    found = client_search.search(db_session, typed).clients
    assert [c.id for c in found] == [directory[who].id]


def test_identifiers_are_not_searched_for_roles_that_do_not_see_them(db_session, directory):
    assert client_search.search(db_session, "500100732259", identifiers=False).clients == []


def test_search_finds_nothing_for_a_stranger_and_pages_the_rest(db_session, directory):
    assert client_search.search(db_session, "Петрова Анна").clients == []
    assert client_search.search(db_session, "12").clients == []  # too short a fragment
    first = client_search.search(db_session, "", per_page=3)
    second = client_search.search(db_session, "", page=2, per_page=3)
    assert first.has_next and not second.has_next
    assert len(first.clients) + len(second.clients) == 4


def test_wildcards_typed_by_the_user_are_taken_literally(db_session, directory):
    assert client_search.search(db_session, "%").clients == []
    assert client_search.search(db_session, "_").clients == []
    assert client_search.search(db_session, "o'brien \\ --").clients == []  # quoted safely
