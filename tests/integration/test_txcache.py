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
