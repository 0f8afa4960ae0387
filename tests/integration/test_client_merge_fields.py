"""Merging two client cards, field by field: what the kept card takes, keeps, confirms and flags
as a conflict, each change a merge line with its author and moment."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.clients.merge import merge
from models.users.user import Role
from tests.factories.clients import client as make_client

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_the_kept_card_takes_what_it_lacks_and_flags_what_differs(db_session, head):
    keep = make_client(
        db_session,
        "Смирнова Ольга Петровна",
        registration_address="",  # empty: takes the other card's
        passport_issued_by="ОВД Арбат",  # differs: a conflict
        representative="Иванов И. И.",  # the other card's is empty: stays
        confirmed_fields=["full_name"],
    )
    drop = make_client(
        db_session,
        "Смирнова Ольга Петровна",
        inn="500100732259",  # confirmed there: confirmed here too
        registration_address="г. Москва, ул. Тверская, 1",  # not confirmed there
        passport_issued_by="ОВД Тверской",
        representative="",
        confirmed_fields=["inn"],
    )

    merge(db_session, keep, drop, head, now=AT)

    assert (keep.inn, keep.registration_address, keep.passport_issued_by) == (
        "500100732259",
        "г. Москва, ул. Тверская, 1",
        "ОВД Арбат",
    )
    assert keep.representative == "Иванов И. И."
    assert sorted(keep.confirmed_fields) == ["full_name", "inn"]
    lines = {
        c.field: (c.new_value, c.source, c.user_id, c.at)
        for c in keep.changes
        if c.field in ("inn", "registration_address")
    }
    assert lines == {
        "inn": ("500100732259", "merge", head.id, AT),
        "registration_address": ("г. Москва, ул. Тверская, 1", "merge", head.id, AT),
    }
    [conflict] = keep.open_conflicts
    assert (conflict.field, conflict.current_value, conflict.proposed_value, conflict.source) == (
        "passport_issued_by",
        "ОВД Арбат",
        "ОВД Тверской",
        "merge",
    )


def test_the_kept_card_takes_the_other_manager_and_email_only_when_it_has_none(
    db_session, head, make_user
):
    theirs = make_user(Role.sales_manager, email="theirs@test.local")
    mine = make_user(Role.sales_manager, email="mine@test.local")
    lacking = make_client(db_session, "Без менеджера", phone=None)
    giving = make_client(db_session, "Другая", email="olga@example.ru", manager_id=theirs.id)

    merge(db_session, lacking, giving, head, now=AT)

    assert (lacking.manager_id, lacking.email) == (theirs.id, "olga@example.ru")
    [line] = [c for c in lacking.changes if c.field == "manager_id"]
    assert (line.new_value, line.source, line.user_id, line.at) == (
        str(theirs.id),
        "merge",
        head.id,
        AT,
    )

    having = make_client(db_session, "С менеджером", email="own@example.ru", manager_id=mine.id)
    other = make_client(db_session, "Другая 2", email="other@example.ru", manager_id=theirs.id)
    merge(db_session, having, other, head, now=AT)
    assert (having.manager_id, having.email) == (mine.id, "own@example.ru")


def test_a_person_merged_into_a_company_gives_it_none_of_their_fields(db_session, head):
    """Before, the company card took the person's passport, birth date, address and 12-digit
    ИНН (hidden from nobody on a company's page but its change log), and the person's name as a
    conflict over the company's."""
    from models.clients.client import ClientKind

    company = make_client(db_session, "ООО «Ромашка»", kind=ClientKind.company, kpp="770101001")
    person = make_client(
        db_session,
        "Смирнова Ольга Петровна",
        inn="500100732259",
        registration_address="г. Москва, ул. Тверская, 1",
        passport_issued_by="ОВД Тверской",
    )

    merge(db_session, company, person, head, now=AT)

    assert (company.full_name, company.inn, company.kpp) == ("ООО «Ромашка»", None, "770101001")
    assert (company.registration_address, company.passport_issued_by) in ((None, None), ("", ""))
    assert company.open_conflicts == []
    assert [c.field for c in company.changes if c.source == "merge"] == ["merged"]
    assert person.registration_address == "г. Москва, ул. Тверская, 1"  # the merged card keeps it
