"""A stored setting that no longer reads (edited by hand, an old format) falls back to the default
and says so in the log, naming the key and the project."""

from __future__ import annotations

import logging
from datetime import timedelta

from models.settings.store import Setting, get_setting


def test_an_unreadable_project_value_falls_back_and_is_logged(
    db_session, make_project, caplog, monkeypatch
):
    # The test session's migrations run alembic's fileConfig, which disables existing loggers.
    monkeypatch.setattr(logging.getLogger("models.settings.store"), "disabled", False)
    project = make_project()
    db_session.add(Setting(key="reservation.term.offline", project_id=project.id, value="три дня"))
    db_session.flush()

    with caplog.at_level(logging.WARNING, logger="models.settings.store"):
        value = get_setting(db_session, "reservation.term.offline", project.id)

    assert value == timedelta(days=3)  # the default
    assert [r.getMessage() for r in caplog.records] == [
        f"setting reservation.term.offline (project {project.id}) holds an unreadable value"
    ]
