"""Merging two cards that wait for the same premise: the better place stays, the other is closed
at the merge's moment; other premises and other clients' places are left as they are."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.clients.merge import merge
from engine.sales import use_cases as reservations
from models.sales.queue import QueueStatus
from models.sales.reservation import Channel
from tests.factories.clients import client as make_client

AT = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_one_place_per_premise_remains_and_nothing_else_moves(
    db_session, make_building, make_premise, manager, head
):
    building = make_building()
    first, second = make_premise(building, number="1"), make_premise(building, number="2")
    holder, other = make_client(db_session, "Держатель"), make_client(db_session, "Другой")
    keep, drop = make_client(db_session, "Смирнова О. П."), make_client(db_session, "Смирнова")
    for premise in (first, second):
        reservations.reserve(db_session, premise.id, holder, channel=Channel.offline, user=manager)

    def enqueue(premise, client):
        return reservations.enqueue(db_session, premise.id, client, manager)

    gone = enqueue(first, keep)  # the better place of the two on the first premise
    reservations.remove_from_queue(db_session, gone, manager)  # …but no longer waiting
    drop_first = enqueue(first, drop)
    other_first = enqueue(first, other)
    keep_first = enqueue(first, keep)
    keep_second = enqueue(second, keep)
    db_session.flush()
    ids = {e: e.id for e in (gone, drop_first, other_first, keep_first, keep_second)}

    merge(db_session, keep, drop, head, now=AT)

    def entry(which):
        return db_session.get(type(which), ids[which])

    assert entry(drop_first).status == QueueStatus.waiting  # the better of the two waiting
    assert (entry(keep_first).status, entry(keep_first).ended_at) == (QueueStatus.removed, AT)
    assert entry(other_first).status == QueueStatus.waiting
    assert entry(keep_second).status == QueueStatus.waiting
    assert entry(drop_first).client_id == keep.id
