"""Settings that cannot be used as they are: a stored value that no longer reads falls back to the
default and the log names its key and project; a global-only key has no project override."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from models.settings.store import (
    Setting,
    SettingIsGlobalOnly,
    get_setting,
    reset_setting,
    set_setting,
)


def test_an_unreadable_project_value_falls_back_and_is_logged(db_session, make_project, caplog):
    project = make_project()
    db_session.add(Setting(key="reservation.term.offline", project_id=project.id, value="три дня"))
    db_session.flush()

    with caplog.at_level(logging.WARNING, logger="models.settings.store"):
        value = get_setting(db_session, "reservation.term.offline", project.id)

    assert value == timedelta(days=3)  # the default
    assert [r.getMessage() for r in caplog.records] == [
        f"setting reservation.term.offline (project {project.id}) holds an unreadable value"
    ]


def test_a_global_only_setting_has_no_project_override_to_reset(db_session, make_project):
    project = make_project()
    set_setting(db_session, "reservation.max_per_client", "3")
    with pytest.raises(SettingIsGlobalOnly):
        reset_setting(db_session, "reservation.max_per_client", project.id)
    assert get_setting(db_session, "reservation.max_per_client") == 3  # the global value stays
