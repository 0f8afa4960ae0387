"""models/shared_cache.py: settings, notification texts and the latest process version kept per
worker for SHARED_CACHE_SECONDS — a writer in the same process is seen at once, a change made
elsewhere once the time has passed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, update

from engine.bpmn import repository
from engine.notifications.catalog import EMAIL
from engine.notifications.templates import texts_for_sending
from models.db import shared_cache
from models.settings.store import Setting, get_setting, set_setting
from tests.factories.process import DATA
from web.extensions import db


@pytest.fixture
def cache_on(app, monkeypatch):
    shared_cache._values.clear()
    monkeypatch.setitem(app.config, "SHARED_CACHE_SECONDS", 5)
    clock = [1000.0]
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: clock[0])
    yield clock
    shared_cache._values.clear()


@pytest.fixture
def statements(db_session):
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    yield seen
    event.remove(db.engine, "before_cursor_execute", count)


def test_a_setting_is_read_once_and_its_writer_sees_a_change_at_once(
    db_session, cache_on, statements
):
    assert get_setting(db_session, "reservation.max_per_client") == 2
    db_session.commit()
    statements.clear()
    assert get_setting(db_session, "reservation.max_per_client") == 2
    assert statements == []  # kept: no query

    set_setting(db_session, "reservation.max_per_client", "3")
    db_session.commit()
    assert get_setting(db_session, "reservation.max_per_client") == 3


def test_a_change_made_elsewhere_is_seen_once_the_time_has_passed(db_session, cache_on):
    set_setting(db_session, "reservation.term.online", "P1D")
    db_session.commit()
    assert get_setting(db_session, "reservation.term.online") == timedelta(days=1)
    # another worker's write: this process is not told
    db_session.execute(
        update(Setting).where(Setting.key == "reservation.term.online").values(value="P2D")
    )
    db_session.commit()
    assert get_setting(db_session, "reservation.term.online") == timedelta(days=1)
    cache_on[0] += 5.1
    assert get_setting(db_session, "reservation.term.online") == timedelta(days=2)


def test_texts_for_sending_follow_an_admins_edit_at_once(db_session, cache_on):
    from engine.notifications import templates as message_templates

    before = texts_for_sending(db_session, "reservation_made")[("client", EMAIL)]
    message_templates.save(
        db_session,
        ("reservation_made", "client", EMAIL),
        subject="Бронь № {premise_number}",
        body="Новый текст брони",
        user_id=None,
    )
    db_session.commit()
    after = texts_for_sending(db_session, "reservation_made")[("client", EMAIL)]
    assert after.body == "Новый текст брони" != before.body
    assert after.row is None  # kept values never hold a session's rows


def test_a_version_published_here_is_started_at_once(db_session, cache_on):
    xml = (DATA / "engine_features.bpmn").read_text("utf-8")
    first = repository.publish(db_session, xml)
    db_session.commit()
    assert repository.latest_for_start(db_session, "engine_features").id == first.id
    second = repository.publish(db_session, xml.replace("Проверка движка", "Проверка движка 2"))
    db_session.commit()
    assert repository.latest_for_start(db_session, "engine_features").id == second.id


def test_a_version_published_by_a_rolled_back_transaction_is_not_kept(db_session, cache_on):
    xml = (DATA / "engine_features.bpmn").read_text("utf-8")
    repository.publish(db_session, xml)
    db_session.commit()
    kept = repository.latest_for_start(db_session, "engine_features")
    unpublished = repository.publish(db_session, xml.replace("Проверка движка", "Черновик"))
    assert repository.latest_for_start(db_session, "engine_features").id == unpublished.id
    db_session.rollback()
    assert repository.latest_for_start(db_session, "engine_features").id == kept.id
