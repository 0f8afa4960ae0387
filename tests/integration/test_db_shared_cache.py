"""models/db/shared_cache.py's own rules: how long a value is kept, that each namespace and key
holds its own value, and that a writer's `forget` drops a namespace now and again at commit."""

from __future__ import annotations

import pytest

from models.db import shared_cache


@pytest.fixture
def lifetime(app, monkeypatch):
    """Sets SHARED_CACHE_SECONDS; the worker's clock stands at 1000 s until the test moves it."""
    shared_cache._values.clear()
    clock = [1000.0]
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: clock[0])

    def set_to(seconds: float) -> list[float]:
        monkeypatch.setitem(app.config, "SHARED_CACHE_SECONDS", seconds)
        return clock

    yield set_to
    shared_cache._values.clear()


def reader(session, namespace="test", key="key"):
    """remember() of a value that counts its reads: 'read 1', 'read 2'…"""
    reads = []

    def read():
        reads.append(1)
        return f"read {len(reads)}"

    return lambda: shared_cache.remember(session, namespace, key, read)


def test_a_value_is_kept_until_its_lifetime_has_passed_to_the_second(db_session, lifetime):
    clock = lifetime(5)
    read = reader(db_session)
    assert read() == "read 1"
    clock[0] += 4.9
    assert read() == "read 1"
    clock[0] += 0.1  # exactly five seconds: expired
    assert read() == "read 2"


def test_a_lifetime_under_a_second_still_keeps_the_value(db_session, lifetime):
    clock = lifetime(0.5)
    read = reader(db_session)
    assert read() == "read 1"
    clock[0] += 0.4
    assert read() == "read 1"


def test_a_lifetime_of_zero_keeps_nothing(db_session, lifetime):
    lifetime(0)
    read = reader(db_session)
    assert [read(), read()] == ["read 1", "read 2"]
    assert shared_cache.peek(db_session, "test", "key") is None


def test_each_namespace_and_key_keeps_its_own_value(db_session, lifetime):
    lifetime(5)
    shared_cache.remember(db_session, "settings", "a", lambda: "setting a")
    shared_cache.remember(db_session, "settings", "b", lambda: "setting b")
    shared_cache.remember(db_session, "texts", "a", lambda: "text a")

    assert shared_cache.remember(db_session, "settings", "a", lambda: "again") == "setting a"
    assert shared_cache.remember(db_session, "settings", "b", lambda: "again") == "setting b"
    assert shared_cache.peek(db_session, "texts", "a") == "text a"
    assert shared_cache.peek(db_session, "texts", "b") is None


def test_a_writer_drops_its_namespace_at_once_and_leaves_the_others(db_session, lifetime):
    lifetime(5)
    shared_cache.keep(db_session, "settings", "a", "old")
    shared_cache.keep(db_session, "texts", "a", "text")

    shared_cache.forget(db_session, "settings")

    assert shared_cache.peek(db_session, "settings", "a") is None
    assert shared_cache.peek(db_session, "texts", "a") == "text"
    db_session.rollback()


def test_what_another_thread_kept_before_the_writer_commits_is_dropped_at_the_commit_once(
    db_session, lifetime
):
    lifetime(5)
    db_session.connection()
    shared_cache.forget(db_session, "settings")
    shared_cache.keep(db_session, "settings", "a", "read before the commit")
    shared_cache.keep(db_session, "texts", "a", "text")

    db_session.commit()

    assert shared_cache.peek(db_session, "settings", "a") is None
    assert shared_cache.peek(db_session, "texts", "a") == "text"
    shared_cache.keep(db_session, "settings", "a", "read after the commit")
    db_session.connection()
    db_session.commit()  # a later transaction of the same session drops nothing
    assert shared_cache.peek(db_session, "settings", "a") == "read after the commit"
