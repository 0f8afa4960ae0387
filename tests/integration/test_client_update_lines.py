"""Newer data from a source (engine/clients/use_cases.update_from_source): every line it writes
carries the source, the author and the moment given, a passport as one pair."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.clients.use_cases import update_from_source
from tests.factories.clients import client as make_client

AT = datetime(2026, 2, 3, 14, 0, tzinfo=UTC)


def test_each_line_of_an_update_carries_its_source_author_and_moment(db_session, manager):
    card = make_client(db_session, "Смирнова Ольга", phone="+79161110001")

    update_from_source(
        db_session,
        card,
        {
            "inn": "500100732259",
            "passport_series": "4510",
            "passport_number": "123456",
            "phones": ["+79161110002"],
            "emails": ["olga@example.ru"],
            "lead_channel": "site",
        },
        "online",
        manager.id,
        now=AT,
    )

    lines = sorted(
        (c.field, c.new_value, c.source, c.user_id, c.at) for c in card.changes if c.at == AT
    )
    assert [line[0] for line in lines] == [
        "email",
        "inn",
        "passport_number",
        "passport_series",
        "phone",
    ]
    assert {line[2:] for line in lines} == {("online", manager.id, AT)}
    assert (card.passport_series, card.passport_number) == ("4510", "123456")
    assert card.last_touch_at == AT


def test_new_data_for_a_confirmed_field_waits_as_a_conflict_dated_by_the_update(
    db_session, manager
):
    card = make_client(db_session, "Смирнова Ольга", inn="500100732259", confirmed_fields=["inn"])

    update_from_source(db_session, card, {"inn": "500100732322"}, "online", manager.id, now=AT)

    assert card.inn == "500100732259"
    [conflict] = card.open_conflicts
    assert (conflict.field, conflict.proposed_value, conflict.source, conflict.at) == (
        "inn",
        "500100732322",
        "online",
        AT,
    )
