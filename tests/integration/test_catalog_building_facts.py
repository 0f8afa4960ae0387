"""What a reservation needs of a premise's building (project, title, time zone) is kept per
worker, and a renamed building or project is seen at once, not after the cache's seconds."""

from __future__ import annotations

import pytest

from models.catalog.facts import BuildingFacts, building_facts
from models.db import shared_cache


@pytest.fixture
def cache_on(app, monkeypatch):
    shared_cache._values.clear()
    monkeypatch.setitem(app.config, "SHARED_CACHE_SECONDS", 5)
    yield
    shared_cache._values.clear()


def test_a_buildings_facts_are_its_project_title_and_time_zone(db_session, make_building):
    building = make_building(name="Корпус 3", time_zone="Asia/Yekaterinburg")
    assert building_facts(db_session, building.id) == BuildingFacts(
        building.project_id, "Тестовый парк, Корпус 3", "Asia/Yekaterinburg"
    )


def test_each_building_has_its_own_facts(db_session, make_building, cache_on):
    first = make_building(name="Корпус 1")
    second = make_building(project=first.project, name="Корпус 2", time_zone="Europe/Samara")
    db_session.commit()
    assert building_facts(db_session, first.id).title == "Тестовый парк, Корпус 1"
    assert building_facts(db_session, second.id) == BuildingFacts(
        first.project_id, "Тестовый парк, Корпус 2", "Europe/Samara"
    )


def test_a_renamed_building_or_project_is_seen_at_once(db_session, make_building, cache_on):
    building = make_building(name="Корпус 1")
    db_session.commit()
    assert building_facts(db_session, building.id).title == "Тестовый парк, Корпус 1"

    building.name = "Корпус 1А"
    db_session.commit()
    assert building_facts(db_session, building.id).title == "Тестовый парк, Корпус 1А"

    building.project.name = "Новый парк"
    db_session.commit()
    assert building_facts(db_session, building.id).title == "Новый парк, Корпус 1А"
