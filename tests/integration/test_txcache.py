"""Values read once per transaction survive a released savepoint, not a commit or a rollback."""

from __future__ import annotations

import pytest

from models.db import txcache


@pytest.fixture
def reads(db_session):
    counter = {"n": 0}

    def read():
        counter["n"] += 1
        return counter["n"]

    db_session.connection()  # a transaction is open, as in a request or a tick batch
    return lambda: txcache.remember(db_session, "test", "key", read)


def test_a_value_is_read_once_per_transaction_and_across_released_savepoints(db_session, reads):
    assert reads() == 1
    with db_session.begin_nested():  # an engine action's savepoint
        assert reads() == 1
    assert reads() == 1
    db_session.commit()
    assert reads() == 2


def test_a_rolled_back_savepoint_or_transaction_forgets(db_session, reads):
    assert reads() == 1
    with pytest.raises(ValueError), db_session.begin_nested():
        raise ValueError
    assert reads() == 2
    db_session.rollback()
    assert reads() == 3


def test_forget_drops_one_namespace(db_session, reads):
    assert reads() == 1
    txcache.forget(db_session, "other")
    assert reads() == 1
    txcache.forget(db_session, "test")
    assert reads() == 2


@pytest.fixture
def selects(db_session):
    """The SELECT statements sent while the test runs."""
    from sqlalchemy import event

    from web.extensions import db

    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


@pytest.fixture
def two_flats(db_session, make_building, make_premise):
    from models.catalog.objects import Premise

    building = make_building()
    ids = [make_premise(building, number=n).id for n in ("1", "2")]
    db_session.commit()
    db_session.expunge_all()
    db_session.connection()
    return Premise, ids


def test_a_row_locked_twice_in_a_transaction_is_read_once(db_session, two_flats, selects):
    Premise, (first, second) = two_flats

    locked = txcache.locked(db_session, Premise, first)
    again = txcache.locked(db_session, Premise, first)
    other = txcache.locked(db_session, Premise, second)

    assert locked is again and locked.number == "1"
    assert other.number == "2"
    assert len(selects) == 2  # one per row


def test_a_row_locked_in_another_mode_is_read_again_in_that_mode(db_session, two_flats, selects):
    Premise, (first, _) = two_flats

    txcache.locked(db_session, Premise, first)
    txcache.locked(db_session, Premise, first, key_share=True)
    txcache.locked(db_session, Premise, first, key_share=True)

    assert len(selects) == 2


def test_a_held_row_counts_as_locked_in_its_mode_only(db_session, two_flats, selects):
    Premise, (first_id, second_id) = two_flats
    first = db_session.get(Premise, first_id)  # e.g. read by a tick batch's own statement
    selects.clear()
    txcache.hold(db_session, first, first_id)

    assert txcache.locked(db_session, Premise, first_id) is first
    assert selects == []
    db_session.expunge_all()
    assert txcache.locked(db_session, Premise, second_id).number == "2"
    assert txcache.locked(db_session, Premise, first_id, key_share=True).number == "1"
    assert len(selects) == 2


def test_a_namespace_filled_ahead_is_what_remember_finds(db_session, reads):
    txcache.namespace(db_session, "test")["key"] = "preloaded"
    txcache.namespace(db_session, "other")["key"] = "elsewhere"

    assert reads() == "preloaded"
    assert txcache.remember(db_session, "test", "another key", lambda: "read") == "read"
    assert txcache.namespace(db_session, "test") == {"key": "preloaded", "another key": "read"}


def test_forget_without_a_namespace_drops_them_all(db_session, reads):
    txcache.forget(db_session)  # nothing kept yet: nothing to do
    assert reads() == 1
    txcache.namespace(db_session, "other")["key"] = "kept"
    txcache.forget(db_session)
    assert reads() == 2
    assert txcache.namespace(db_session, "other") == {}
