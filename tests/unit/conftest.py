"""Fixtures of the unit tier."""

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
