"""engine.tick reminds the owner of a CRM task once, before its due time (notification in-app)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.core.tick import run_until_idle, tick
from engine.crm import use_cases as crm
from models.crm.history import CrmTask
from models.db.base import utcnow
from models.notifications.in_app import Notification
from models.settings.store import set_setting
from web.extensions import db


@pytest.fixture
def buyer(make_client, manager):
    return make_client("Кузнецов Пётр", "+79035556677", manager_id=manager.id)


def plan(db_session, buyer, owner, due_in: timedelta, title="Перезвонить"):
    task = crm.plan_task(
        db_session, buyer.id, owner, title=title, kind="call", due_at=utcnow() + due_in
    )
    db_session.commit()
    return task


def reminders_of(db_session, user) -> list[Notification]:
    return db_session.scalars(
        select(Notification).where(Notification.user_id == user.id, Notification.kind == "task_due")
    ).all()


def test_the_owner_is_reminded_once_an_hour_before_the_due_time(db_session, manager, buyer):
    soon = plan(db_session, buyer, manager, timedelta(minutes=30), title="Перезвонить по ипотеке")
    later = plan(db_session, buyer, manager, timedelta(hours=3), title="Встреча в офисе")

    first = tick(db_session)
    db_session.commit()
    assert (first.reminders, first.jobs["crm_task_reminders"]) == (1, 1)
    [note] = reminders_of(db_session, manager)
    assert note.link == f"/crm/tasks/{soon.id}"
    assert "Перезвонить по ипотеке" in note.text and "Кузнецов Пётр" in note.text
    db_session.refresh(soon)
    db_session.refresh(later)
    assert soon.reminded_at is not None and later.reminded_at is None

    again = tick(db_session)
    db_session.commit()
    assert again.jobs["crm_task_reminders"] == 0
    assert len(reminders_of(db_session, manager)) == 1

    two_hours_on = tick(db_session, now=utcnow() + timedelta(hours=2, minutes=1))
    db_session.commit()
    assert two_hours_on.jobs["crm_task_reminders"] == 1
    assert [n.link for n in reminders_of(db_session, manager)][-1] == f"/crm/tasks/{later.id}"


def test_the_lead_time_is_a_setting(db_session, manager, buyer):
    set_setting(db_session, "crm.task_reminder_before", "PT4H")
    plan(db_session, buyer, manager, timedelta(hours=3))
    assert tick(db_session).jobs["crm_task_reminders"] == 1


def test_done_tasks_are_not_reminded_and_rescheduled_ones_are_reminded_again(
    db_session, manager, buyer
):
    done = plan(db_session, buyer, manager, timedelta(minutes=10))
    crm.complete_task(db_session, done.id, manager, "Дозвонился")
    moved = plan(db_session, buyer, manager, timedelta(minutes=20))
    assert run_until_idle(db_session).jobs["crm_task_reminders"] == 1  # the open one only

    crm.reschedule_task(db_session, moved.id, manager, utcnow() + timedelta(minutes=40))
    db_session.commit()
    assert run_until_idle(db_session).jobs["crm_task_reminders"] == 1
    assert len(reminders_of(db_session, manager)) == 2


def test_a_full_batch_leads_to_another_round(db_session, manager, buyer):
    for number in range(5):
        plan(db_session, buyer, manager, timedelta(minutes=5), title=f"Звонок {number}")
    assert run_until_idle(db_session, batch_size=2).jobs["crm_task_reminders"] == 5
    assert len(reminders_of(db_session, manager)) == 5


def test_two_ticks_at_once_remind_each_task_once(app, database_url, db_session, manager, buyer):
    if not database_url.startswith("postgres"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL (в CI задан)")
    for number in range(20):
        plan(db_session, buyer, manager, timedelta(minutes=5), title=f"Звонок {number}")
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def worker() -> None:
        with app.app_context():
            barrier.wait()
            try:
                counts.append(run_until_idle(db.session, batch_size=5).jobs["crm_task_reminders"])
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sum(counts) == 20
    assert len(reminders_of(db_session, manager)) == 20
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).where(CrmTask.reminded_at.is_(None))) == 0
