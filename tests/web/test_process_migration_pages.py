"""The page moving running instances to a new version: preview, move, refusals."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core import runtime
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance
from models.users.user import Role
from tests.factories import process

URL = "/processes/migration_demo/versions/2/migrate"
NOT_EDITORS = [r for r in Role if r not in (Role.admin, Role.analyst)]


@pytest.fixture
def instances(db_session, make_user):
    """One instance at its first task (can move) and one past it (cannot), then version 2."""
    manager = make_user(Role.sales_manager, "m@test.local")
    process.published(db_session, "migration_v1")
    movable = runtime.start(db_session, "migration_demo", user=manager)
    stuck = runtime.start(db_session, "migration_demo", user=manager)
    db_session.flush()
    row = db_session.scalars(select(HumanTask).where(HumanTask.instance_id == stuck.id)).one()
    runtime.complete(db_session, row.id, manager, {"note": "готово"})
    process.published(db_session, "migration_v2")
    db_session.commit()
    return movable.id, stuck.id


def _version(db_session, instance_id: int) -> int:
    db_session.expire_all()
    return db_session.get(ProcessInstance, instance_id).model.version


def test_preview_checks_the_movable_and_explains_the_others(client, login_as, instances):
    movable, stuck = instances
    login_as(Role.analyst)
    page = client.get(URL).get_data(as_text=True)
    assert f'name="instance_id" value="{movable}" checked' in page
    assert f'value="{stuck}"' not in page
    assert "«Заполнить заявку» уже выполнен, а в новой версии он изменён" in page


def test_moving_the_checked_instances_shows_what_moved_and_what_did_not(
    client, login_as, instances, db_session
):
    movable, stuck = instances
    login_as(Role.analyst)
    response = client.post(URL, data={"instance_id": [str(movable), str(stuck)]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Перенесено на версию 2: 1" in page
    assert f"№ {stuck}: Шаг «Заполнить заявку» уже выполнен" in page
    assert _version(db_session, movable) == 2
    assert _version(db_session, stuck) == 1
    row = db_session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == movable, HumanTask.status == HumanTaskStatus.open
        )
    ).one()
    assert row.due_at is not None  # version 2 gives the task a deadline
    monitor = client.get(f"/processes/instances/{movable}").get_data(as_text=True)
    assert "Процесс переведён на новую версию" in monitor
    assert "Версия 1 → 2" in monitor
    assert "версия 2" in monitor


def test_nothing_checked_or_a_forged_id_moves_nothing(client, login_as, instances, db_session):
    movable, _ = instances
    login_as(Role.analyst)
    page = client.post(URL, data={}).get_data(as_text=True)
    assert "Отметьте процессы, которые нужно перенести" in page
    response = client.post(URL, data={"instance_id": ["1 OR 1=1"]})
    assert response.status_code == 200
    assert "Неверный номер процесса" in response.get_data(as_text=True)
    assert _version(db_session, movable) == 1


@pytest.mark.parametrize("role", NOT_EDITORS, ids=lambda r: r.value)
def test_only_analysts_and_admins_may_move(client, login_as, instances, db_session, role):
    movable, _ = instances
    login_as(role)
    assert client.post(URL, data={"instance_id": [str(movable)]}).status_code == 403
    assert _version(db_session, movable) == 1


def test_an_unknown_version_is_not_found(client, login_as, instances):
    login_as(Role.admin)
    assert client.get("/processes/migration_demo/versions/9/migrate").status_code == 404


def test_each_instance_links_to_what_changed_since_its_version(client, login_as, instances):
    login_as(Role.analyst)
    page = client.get(URL).get_data(as_text=True)
    assert "/processes/migration_demo/diff?from=1&amp;to=2" in page
    assert client.get("/processes/migration_demo/diff?from=1&to=2").status_code == 200
