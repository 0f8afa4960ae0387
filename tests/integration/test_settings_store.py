"""Settings through the real database: precedence, uniqueness of the global value, and bad
input that writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from models.settings.store import (
    InvalidSettingValue,
    Setting,
    SettingIsGlobalOnly,
    UnknownProject,
    UnknownSetting,
    all_settings,
    get_setting,
    reset_setting,
    set_setting,
)
from models.users.user import Role


def rows(session) -> int:
    return session.scalar(select(func.count()).select_from(Setting))


def test_an_untouched_setting_gives_its_typed_default(db_session, make_project):
    project = make_project()
    assert get_setting(db_session, "reservation.term.online") == timedelta(days=1)
    assert get_setting(db_session, "reservation.term.offline", project.id) == timedelta(days=3)
    assert get_setting(db_session, "reservation.reminder_before") == timedelta(hours=12)
    assert get_setting(db_session, "reservation.max_per_client") == 2
    assert get_setting(db_session, "reservation.paid_fee") == Decimal("50000.00")


def test_a_project_override_beats_the_global_value_which_beats_the_default(
    db_session, make_project
):
    park, tower = make_project("Парк"), make_project("Башня")
    set_setting(db_session, "reservation.term.offline", "P5D")
    set_setting(db_session, "reservation.term.offline", "P7D", project_id=park.id)
    db_session.commit()

    assert get_setting(db_session, "reservation.term.offline", park.id) == timedelta(days=7)
    assert get_setting(db_session, "reservation.term.offline", tower.id) == timedelta(days=5)
    assert get_setting(db_session, "reservation.term.offline") == timedelta(days=5)

    assert reset_setting(db_session, "reservation.term.offline", park.id) is True
    assert get_setting(db_session, "reservation.term.offline", park.id) == timedelta(days=5)
    assert reset_setting(db_session, "reservation.term.offline") is True
    assert get_setting(db_session, "reservation.term.offline", park.id) == timedelta(days=3)
    assert reset_setting(db_session, "reservation.term.offline") is False


def test_setting_again_updates_the_one_row_and_records_who_and_when(
    db_session, make_user, make_project
):
    head = make_user(Role.head_of_sales)
    first = set_setting(db_session, "reservation.term.paid", "P10D")
    first_at = first.updated_at
    second = set_setting(db_session, "reservation.term.paid", "p21d", user_id=head.id)
    db_session.commit()

    assert second is first
    assert rows(db_session) == 1
    assert (second.value, second.updated_by_id) == ("P21D", head.id)
    assert second.updated_at >= first_at
    assert get_setting(db_session, "reservation.term.paid") == timedelta(days=21)


def test_a_project_id_for_a_global_only_key_reads_the_global_value(db_session, make_project):
    project = make_project()
    set_setting(db_session, "reservation.max_per_client", "3")
    assert get_setting(db_session, "reservation.max_per_client", project.id) == 3


def test_the_database_allows_one_global_value_per_key(db_session):
    db_session.add(Setting(key="reservation.term.online", value="P1D"))
    db_session.flush()
    db_session.add(Setting(key="reservation.term.online", value="P2D"))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


def test_the_database_allows_one_override_per_key_and_project(db_session, make_project):
    project = make_project()
    db_session.add(Setting(key="reservation.term.online", value="P1D", project_id=project.id))
    db_session.add(Setting(key="reservation.term.online", value="P1D"))  # the global one: fine
    db_session.flush()
    db_session.add(Setting(key="reservation.term.online", value="P2D", project_id=project.id))
    with pytest.raises(IntegrityError):
        db_session.flush()
    db_session.rollback()


@pytest.mark.parametrize(
    ("key", "value", "project", "error", "message"),
    [
        (
            "reservation.nope",
            "P1D",
            False,
            UnknownSetting,
            "Неизвестная настройка «reservation.nope»",
        ),
        ("reservation.term.online", "сутки", False, InvalidSettingValue, "Срок указывается"),
        ("reservation.term.online", "-P1D", False, InvalidSettingValue, "отрицательным"),
        ("reservation.term.online", "PT0S", False, InvalidSettingValue, "больше нуля"),
        ("reservation.max_per_client", "0", False, InvalidSettingValue, "не меньше 1"),
        ("reservation.paid_fee", "-100", False, InvalidSettingValue, "отрицательной"),
        ("reservation.max_per_client", "3", True, SettingIsGlobalOnly, "только для всех"),
        ("queue.acceptance_window", "P2D", True, SettingIsGlobalOnly, "только для всех"),
    ],
)
def test_bad_input_is_refused_in_russian_and_writes_nothing(
    db_session, make_project, key, value, project, error, message
):
    project_id = make_project().id if project else None
    with pytest.raises(error) as caught:
        set_setting(db_session, key, value, project_id=project_id)
    assert message in caught.value.message
    db_session.commit()
    assert rows(db_session) == 0


def test_an_unknown_project_is_refused_and_nothing_is_written(db_session):
    with pytest.raises(UnknownProject) as caught:
        set_setting(db_session, "reservation.term.online", "P2D", project_id=999)
    assert caught.value.message == "Проект (ЖК) с номером 999 не найден"
    with pytest.raises(UnknownProject):
        all_settings(db_session, 999)
    assert rows(db_session) == 0


def test_all_settings_tells_where_each_value_comes_from(db_session, make_project):
    project = make_project()
    set_setting(db_session, "reservation.term.online", "PT36H")
    set_setting(db_session, "reservation.term.offline", "P2D", project_id=project.id)
    states = {s.key: s for s in all_settings(db_session, project.id)}

    assert states["reservation.term.offline"].source == "project"
    assert states["reservation.term.offline"].display == "P2D — 2 дня"
    assert states["reservation.term.online"].source == "global"
    assert states["reservation.term.online"].value == timedelta(hours=36)
    assert states["reservation.term.paid"].source == "default"
    assert states["reservation.term.paid"].display == "P14D — 14 дней"


def test_a_stored_value_that_no_longer_parses_falls_back_to_the_next_level(
    db_session, make_project
):
    project = make_project()
    set_setting(db_session, "reservation.term.online", "P2D")
    db_session.add(Setting(key="reservation.term.online", value="garbage", project_id=project.id))
    db_session.flush()
    assert get_setting(db_session, "reservation.term.online", project.id) == timedelta(days=2)


def test_deleting_a_project_removes_its_overrides(db_session, make_project):
    project = make_project()
    set_setting(db_session, "reservation.term.online", "P2D", project_id=project.id)
    db_session.commit()
    db_session.delete(project)
    db_session.commit()
    assert rows(db_session) == 0
