"""Until the web app configures it, the shared cache keeps nothing: a process that never set its
lifetime (a script, a worker) always reads the database."""

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
