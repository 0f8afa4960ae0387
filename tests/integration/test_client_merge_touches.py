"""Merging two cards keeps the earlier first touch and the later last touch of the two, and flags
each differing field as its own conflict."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine.clients.merge import merge
from tests.factories.clients import client as make_client

EARLY = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
LATE = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def touched(db_session, name, first=None, last=None, **fields):
    card = make_client(db_session, name, **fields)
    if first:
        card.touch(f"{name}-первый", f"{name}-кампания-1", first)
    if last:
        card.touch(f"{name}-последний", f"{name}-кампания-2", last)
    db_session.flush()
    return card


def first_and_last(card):
    return (
        (card.first_touch_channel, card.first_touch_campaign, card.first_touch_at),
        (card.last_touch_channel, card.last_touch_campaign, card.last_touch_at),
    )


@pytest.mark.parametrize(
    ("keep_times", "drop_times", "first_from", "last_from"),
    [
        ((None, None), (EARLY, LATE), "drop", "drop"),
        ((EARLY, LATE), (LATE, EARLY), "keep", "keep"),
        ((LATE, EARLY), (EARLY, LATE), "drop", "drop"),
        ((EARLY, LATE), (EARLY, LATE), "keep", "keep"),  # the same moments: the kept card's
    ],
)
def test_the_earlier_first_touch_and_the_later_last_touch_are_kept(
    db_session, head, keep_times, drop_times, first_from, last_from
):
    keep = touched(db_session, "keep", *keep_times)
    drop = touched(db_session, "drop", *drop_times)
    expected = {"keep": first_and_last(keep), "drop": first_and_last(drop)}

    merge(db_session, keep, drop, head, now=AT)

    first, last = first_and_last(keep)
    assert first == expected[first_from][0]
    assert last == expected[last_from][1]


def test_each_differing_field_is_its_own_conflict_dated_by_the_merge(db_session, head):
    keep = make_client(db_session, "Смирнова", kpp="770101001", ogrn="1027700132195")
    drop = make_client(db_session, "Смирнова", kpp="770201001", ogrn="770201001")

    merge(db_session, keep, drop, head, now=AT)

    assert sorted((c.field, c.proposed_value, c.at) for c in keep.open_conflicts) == [
        ("kpp", "770201001", AT),
        ("ogrn", "770201001", AT),
    ]
