"""What the settings page reads from the store: each level's value as people read it, an
unreadable stored value marked and passed over, and a change seen by the same transaction."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.db import shared_cache
from models.settings.store import (
    Setting,
    SettingIsGlobalOnly,
    UnknownSetting,
    all_settings,
    get_setting,
    reset_setting,
    set_setting,
)

TERM = "reservation.term.offline"


@pytest.fixture
def kept_per_worker(app, monkeypatch):
    """Settings kept by the worker process for five seconds, as in production; time stands."""
    shared_cache._values.clear()
    monkeypatch.setitem(app.config, "SHARED_CACHE_SECONDS", 5)
    monkeypatch.setattr(shared_cache.time, "monotonic", lambda: 1000.0)
    yield
    shared_cache._values.clear()


def states(session, project_id=None) -> dict:
    return {state.key: state for state in all_settings(session, project_id)}


def test_every_setting_is_listed_in_the_order_of_the_registry(db_session):
    assert [state.key for state in all_settings(db_session)] == [
        "reservation.term.online",
        "reservation.term.offline",
        "reservation.term.paid",
        "reservation.max_term",
        "reservation.approved_max_term",
        "reservation.paid_fee",
        "reservation.max_per_client",
        "reservation.reminder_before",
        "queue.acceptance_window",
        "catalog.import_max_rows",
        "crm.task_reminder_before",
        "login.account_failures",
        "login.address_failures",
        "login.failure_window",
        "login.remember_for",
    ]


def test_an_untouched_setting_shows_its_default_and_has_no_stored_rows(db_session):
    state = states(db_session)["reservation.paid_fee"]
    assert (state.source, state.effective_row, state.stored) == ("default", None, "50000.00")
    assert state.value == Decimal("50000.00")
    assert state.display == state.default_display == "50\u00a0000,00\u00a0₽"
    assert (state.display_of(state.global_row), state.display_of(state.project_row)) == (None, None)


def test_each_level_is_shown_for_people_and_the_project_one_is_in_force(db_session, make_project):
    project = make_project()
    set_setting(db_session, TERM, "P5D")
    set_setting(db_session, TERM, "p7d", project_id=project.id)

    state = states(db_session, project.id)[TERM]

    assert state.source == "project"
    assert state.effective_row is state.project_row
    assert (state.project_row.project_id, state.global_row.project_id) == (project.id, None)
    assert (state.stored, state.value) == ("P7D", timedelta(days=7))
    assert state.display_of(state.global_row) == "P5D — 5 дней"
    assert state.display_of(state.project_row) == "P7D — 7 дней"
    assert state.default_display == "P3D — 3 дня"


def test_the_global_value_is_in_force_where_the_project_has_none(db_session, make_project):
    project = make_project()
    set_setting(db_session, TERM, "P5D")

    state = states(db_session, project.id)[TERM]

    assert (state.source, state.project_row) == ("global", None)
    assert state.effective_row is state.global_row
    assert (state.stored, state.display) == ("P5D", "P5D — 5 дней")


def test_a_global_only_setting_has_no_project_row_even_on_a_project_page(db_session, make_project):
    project = make_project()
    set_setting(db_session, "reservation.max_per_client", "4")

    state = states(db_session, project.id)["reservation.max_per_client"]

    assert (state.source, state.project_row, state.value) == ("global", None, 4)


def test_an_unreadable_stored_value_is_shown_as_it_is_marked_and_passed_over(
    db_session, make_project
):
    project = make_project()
    set_setting(db_session, TERM, "P5D")
    db_session.add(Setting(key=TERM, project_id=project.id, value="неделя"))
    db_session.flush()

    state = states(db_session, project.id)[TERM]

    assert state.source == "global"
    assert state.display_of(state.project_row) == "неделя (не распознано, действует следующее)"
    assert state.value == timedelta(days=5)


def test_an_unreadable_global_value_falls_back_to_the_default(db_session):
    db_session.add(Setting(key=TERM, value="P1Y"))
    db_session.flush()

    state = states(db_session)[TERM]

    assert (state.source, state.stored) == ("default", "P3D")
    assert get_setting(db_session, TERM) == timedelta(days=3)


def test_a_change_is_read_back_by_the_same_transaction(db_session, make_project):
    project = make_project()
    assert get_setting(db_session, TERM, project.id) == timedelta(days=3)

    set_setting(db_session, TERM, "P4D")
    assert get_setting(db_session, TERM, project.id) == timedelta(days=4)

    set_setting(db_session, TERM, "P6D", project_id=project.id)
    assert get_setting(db_session, TERM, project.id) == timedelta(days=6)
    assert get_setting(db_session, TERM) == timedelta(days=4)

    assert reset_setting(db_session, TERM, project.id) is True
    assert get_setting(db_session, TERM, project.id) == timedelta(days=4)


def test_two_projects_keep_their_own_overrides(db_session, make_project):
    park, tower = make_project("Парк"), make_project("Башня")
    set_setting(db_session, TERM, "P2D", project_id=park.id)
    set_setting(db_session, TERM, "P9D", project_id=tower.id)

    assert get_setting(db_session, TERM, park.id) == timedelta(days=2)
    assert get_setting(db_session, TERM, tower.id) == timedelta(days=9)
    assert get_setting(db_session, TERM) == timedelta(days=3)
    assert states(db_session, tower.id)[TERM].stored == "P9D"


def test_setting_a_project_override_leaves_the_global_value_alone(db_session, make_project):
    project = make_project()
    global_row = set_setting(db_session, TERM, "P5D")
    override = set_setting(db_session, TERM, "P8D", project_id=project.id)

    assert override is not global_row
    assert (override.key, override.project_id, override.value) == (TERM, project.id, "P8D")
    stored = db_session.scalars(select(Setting).order_by(Setting.id)).all()
    assert [(row.project_id, row.value) for row in stored] == [(None, "P5D"), (project.id, "P8D")]


def test_resetting_the_global_value_keeps_the_project_overrides(db_session, make_project):
    project = make_project()
    set_setting(db_session, TERM, "P5D")
    set_setting(db_session, TERM, "P8D", project_id=project.id)

    assert reset_setting(db_session, TERM) is True

    assert db_session.scalars(select(Setting.project_id)).all() == [project.id]
    assert reset_setting(db_session, TERM, project.id) is True
    assert reset_setting(db_session, TERM, project.id) is False


def test_an_unknown_key_is_refused_on_reading_writing_and_resetting(db_session):
    for attempt in (
        lambda: get_setting(db_session, "reservation.nope"),
        lambda: set_setting(db_session, "reservation.nope", "1"),
        lambda: reset_setting(db_session, "reservation.nope"),
    ):
        with pytest.raises(UnknownSetting) as refused:
            attempt()
        assert (refused.value.field, refused.value.message) == (
            "key",
            "Неизвестная настройка «reservation.nope»",
        )


def test_a_global_only_key_names_itself_when_a_project_value_is_refused(db_session, make_project):
    project = make_project()
    with pytest.raises(SettingIsGlobalOnly) as refused:
        set_setting(db_session, "queue.acceptance_window", "P2D", project_id=project.id)
    assert (refused.value.field, refused.value.message) == (
        "project",
        "«Окно ответа очереди» задаётся только для всех проектов сразу, не для одного ЖК",
    )


def test_kept_values_of_a_project_and_of_all_projects_do_not_mix(
    db_session, make_project, kept_per_worker
):
    project = make_project()
    set_setting(db_session, TERM, "P5D")
    set_setting(db_session, TERM, "P8D", project_id=project.id)
    db_session.commit()

    assert get_setting(db_session, TERM, project.id) == timedelta(days=8)
    assert get_setting(db_session, TERM) == timedelta(days=5)
    assert get_setting(db_session, TERM, project.id) == timedelta(days=8)


def test_a_reset_is_seen_at_once_by_the_worker_that_made_it(
    db_session, make_project, kept_per_worker
):
    project = make_project()
    set_setting(db_session, TERM, "P8D", project_id=project.id)
    db_session.commit()
    assert get_setting(db_session, TERM, project.id) == timedelta(days=8)

    reset_setting(db_session, TERM, project.id)
    db_session.commit()

    assert get_setting(db_session, TERM, project.id) == timedelta(days=3)


def test_a_project_row_left_for_a_global_only_key_is_ignored(db_session, make_project):
    project = make_project()
    db_session.add(Setting(key="reservation.max_per_client", project_id=project.id, value="9"))
    db_session.flush()

    state = states(db_session, project.id)["reservation.max_per_client"]

    assert (state.source, state.project_row, state.value) == ("default", None, 2)
    assert get_setting(db_session, "reservation.max_per_client", project.id) == 2


def test_setting_one_key_leaves_the_other_keys_alone(db_session):
    set_setting(db_session, "reservation.term.online", "P2D")
    set_setting(db_session, "reservation.paid_fee", "100")
    set_setting(db_session, "reservation.term.online", "P4D")

    stored = db_session.scalars(select(Setting).order_by(Setting.key)).all()
    assert [(row.key, row.value) for row in stored] == [
        ("reservation.paid_fee", "100.00"),
        ("reservation.term.online", "P4D"),
    ]
