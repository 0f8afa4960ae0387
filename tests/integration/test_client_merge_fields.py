"""Merging two client cards, field by field: what the kept card takes, keeps, confirms and flags
as a conflict, each change a merge line with its author and moment."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.clients.merge import merge
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
