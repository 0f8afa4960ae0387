"""Merging two cards moves the dropped card's processes to the kept one by their client key only:
another key that happens to hold the same number is left alone."""

from __future__ import annotations

from sqlalchemy import select

from engine.clients.merge import merge
from engine.sales import use_cases as reservations
from models.process.instance import ProcessBusinessKey
from models.sales.reservation import Channel
from tests.factories.clients import client as make_client


def test_only_the_client_key_of_the_dropped_card_moves(
    db_session, make_building, make_premise, manager, head
):
    keep = make_client(db_session, "Смирнова Ольга")
    drop = make_client(db_session, "Смирнова О.")
    stranger = make_client(db_session, "Петров Пётр")
    building = make_building()
    premise = make_premise(building, number="7")
    theirs = reservations.reserve(
        db_session,
        make_premise(building, number="8").id,
        stranger,
        channel=Channel.offline,
        user=manager,
    ).instance
    instance = reservations.reserve(
        db_session, premise.id, drop, channel=Channel.offline, user=manager
    ).instance
    # Another key holding the dropped card's number, in the index and in the instance's keys.
    db_session.add(ProcessBusinessKey(instance_id=instance.id, name="offer_id", value=str(drop.id)))
    instance.business_keys = {**instance.business_keys, "offer_id": drop.id}
    db_session.flush()
    keep_id, drop_id = keep.id, drop.id

    merge(db_session, keep, drop, head)

    index = dict(
        db_session.execute(
            select(ProcessBusinessKey.name, ProcessBusinessKey.value).where(
                ProcessBusinessKey.instance_id == instance.id
            )
        ).all()
    )
    assert (index["client_id"], index["offer_id"]) == (str(keep_id), str(drop_id))
    db_session.refresh(instance)
    assert instance.business_keys["client_id"] == keep_id
    assert instance.business_keys["offer_id"] == drop_id
    stranger_key = db_session.scalar(
        select(ProcessBusinessKey.value).where(
            ProcessBusinessKey.instance_id == theirs.id, ProcessBusinessKey.name == "client_id"
        )
    )
    assert stranger_key == str(stranger.id)  # another client's process stays theirs
