"""The shared cache keeps a value only once its lifetime is configured (the web app does it): a
process that never set it (a script, a worker) always reads the database."""

from __future__ import annotations

from models.db import shared_cache


def test_an_unconfigured_cache_keeps_nothing(db_session, monkeypatch):
    monkeypatch.setattr(shared_cache, "_seconds", shared_cache._off)  # as on import
    computed = []

    def compute():
        computed.append(1)
        return "value"

    assert shared_cache.remember(db_session, "test", "key", compute) == "value"
    assert shared_cache.remember(db_session, "test", "key", compute) == "value"
    assert len(computed) == 2


def test_a_configured_lifetime_keeps_the_value(db_session, monkeypatch):
    monkeypatch.setattr(shared_cache, "_seconds", shared_cache._seconds)  # restored afterwards
    shared_cache.drop("test")
    shared_cache.configure(lambda: 60.0)
    computed = []

    def compute():
        computed.append(1)
        return "value"

    shared_cache.remember(db_session, "test", "key", compute)
    shared_cache.remember(db_session, "test", "key", compute)
    shared_cache.drop("test")
    assert len(computed) == 1
