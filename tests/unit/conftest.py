"""Fixtures of the unit tier, which runs without a database: a test here that asks for the app
(and so for a migrated database) stops the run at collection; it belongs in tests/integration."""

from __future__ import annotations

import itertools

import pytest

from engine.sandbox import budget


@pytest.fixture
def budget_clock(monkeypatch):
    """The sandbox budget's clock moves a millisecond each time it is read: a run "takes" as
    long as the steps it makes, whatever the machine's speed. Yields the readings to come."""
    readings = itertools.count(start=1000.0, step=0.001)
    monkeypatch.setattr(budget, "clock", lambda: next(readings))
    return readings


def pytest_collection_modifyitems(items):
    needs_app = [
        item.nodeid
        for item in items
        if item.nodeid.startswith("tests/unit/") and "app" in getattr(item, "fixturenames", ())
    ]
    if needs_app:
        raise pytest.UsageError(
            "tests/unit has no database; move these to tests/integration: " + ", ".join(needs_app)
        )
