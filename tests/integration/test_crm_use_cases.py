"""The CRM's verbs on the database: whose task a plan makes, the time each verb takes as "now",
who may finish or move a task once it is done, and which open tasks are due for a reminder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from engine.crm import use_cases as crm
from models.crm.history import CrmTask, InteractionKind, TaskError
from models.db.errors import NotFound
from models.settings.store import set_setting
from models.users.user import Role

CLOCK = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)  # the application's clock in these tests
EARLIER = datetime(2026, 4, 20, 9, 30, tzinfo=UTC)  # a "now" a caller passes explicitly


@pytest.fixture
def buyer(db_session, clock, manager, make_client):
    clock.set(CLOCK)
    return make_client("Кузнецов Пётр", manager_id=manager.id)


def plan(session, buyer, user, due_at, **fields) -> CrmTask:
    return crm.plan_task(
        session, buyer.id, user, title="Перезвонить", kind="call", due_at=due_at, **fields
    )


def refusal(error) -> tuple[str | None, str]:
    return error.value.field, error.value.message


# ------------------------------------------------------------------ logging and planning


def test_a_logged_contact_is_stored_with_its_author_and_happened_at_the_clock_s_now(
    db_session, buyer, manager
):
    call = crm.log_interaction(
        db_session,
        buyer.id,
        manager,
        kind="email",
        direction="out",
        summary="Отправил планировки",
        body="Три варианта",
        at=None,
    )
    assert call.id is not None
    assert (call.client_id, call.user_id, call.kind, call.direction, call.at) == (
        buyer.id,
        manager.id,
        InteractionKind.email,
        "out",
        CLOCK,
    )
    assert (call.summary, call.body) == ("Отправил планировки", "Три варианта")


def test_a_contact_logged_with_an_explicit_now_happened_then(db_session, buyer, manager):
    call = crm.log_interaction(
        db_session,
        buyer.id,
        manager,
        kind="call",
        direction=None,
        summary="Позвонил",
        body=None,
        at=None,
        now=EARLIER,
    )
    assert call.at == EARLIER


def test_a_contact_with_an_unknown_client_is_not_found(db_session, buyer, manager):
    with pytest.raises(NotFound) as missing:
        crm.log_interaction(
            db_session,
            999999,
            manager,
            kind="call",
            direction=None,
            summary="Позвонил",
            body=None,
            at=None,
        )
    assert missing.value.message == "Клиент № 999999 не найден"


@pytest.mark.parametrize("owner_id", [None, 0, "self"])
def test_a_task_planned_without_another_owner_is_the_author_s(db_session, buyer, manager, owner_id):
    owner_id = manager.id if owner_id == "self" else owner_id
    task = plan(db_session, buyer, manager, CLOCK + timedelta(days=1), owner_id=owner_id)
    assert task.id is not None
    assert (task.owner_id, task.created_by_id, task.created_at) == (manager.id, manager.id, CLOCK)


def test_the_head_of_sales_plans_a_task_for_a_manager(db_session, buyer, head, manager):
    task = plan(db_session, buyer, head, CLOCK + timedelta(days=1), owner_id=manager.id)
    assert (task.owner_id, task.created_by_id) == (manager.id, head.id)


def test_a_task_for_an_employee_who_does_not_exist_is_refused(db_session, buyer, head):
    with pytest.raises(TaskError) as refused:
        plan(db_session, buyer, head, CLOCK + timedelta(days=1), owner_id=999999)
    assert refusal(refused) == (
        "owner_id",
        "Задачу можно поручить только сотруднику отдела продаж",
    )


def test_a_task_written_after_the_fact_keeps_its_past_due_time(db_session, buyer, manager):
    due = CLOCK - timedelta(days=2)
    task = plan(db_session, buyer, manager, due, allow_past=True)
    assert (task.due_at, task.reminded_at) == (due, CLOCK)


def test_a_past_due_time_is_refused_unless_marked(db_session, buyer, manager):
    with pytest.raises(TaskError) as refused:
        plan(db_session, buyer, manager, CLOCK - timedelta(days=2))
    assert refused.value.field == "due_at"


def test_a_task_planned_with_an_explicit_now_is_judged_against_it(db_session, buyer, manager):
    due = EARLIER + timedelta(hours=1)  # in the past for the clock, ahead of the given now
    task = plan(db_session, buyer, manager, due, now=EARLIER)
    assert (task.due_at, task.created_at, task.reminded_at) == (due, EARLIER, None)


# ------------------------------------------------------------------ finishing and moving


@pytest.fixture
def task(db_session, buyer, manager):
    return plan(db_session, buyer, manager, CLOCK + timedelta(hours=3))


def test_an_unknown_task_is_not_found(db_session, buyer, manager):
    with pytest.raises(NotFound) as missing:
        crm.complete_task(db_session, 999999, manager, "Дозвонился")
    assert missing.value.message == "Задача № 999999 не найдена"
    with pytest.raises(NotFound):
        crm.reschedule_task(db_session, 999999, manager, CLOCK + timedelta(days=1))


def test_the_owner_finishes_the_task_at_the_clock_s_now(db_session, task, manager):
    event = crm.complete_task(db_session, task.id, manager, "Дозвонился")
    assert event.id is not None
    assert (task.done_at, task.result, event.at, event.body) == (
        CLOCK,
        "Дозвонился",
        CLOCK,
        "Дозвонился",
    )


def test_a_task_finished_with_an_explicit_now_is_done_then(db_session, task, manager):
    event = crm.complete_task(db_session, task.id, manager, "Дозвонился", now=EARLIER)
    assert (task.done_at, event.at) == (EARLIER, EARLIER)


def test_finishing_without_a_result_is_refused(db_session, task, manager):
    with pytest.raises(TaskError) as refused:
        crm.complete_task(db_session, task.id, manager, None)
    assert refusal(refused) == ("result", "Опишите результат")
    assert task.is_open


def test_another_manager_may_not_finish_someone_elses_task(db_session, task, make_user):
    other = make_user(Role.sales_manager, email="other@test.local")
    with pytest.raises(TaskError) as refused:
        crm.complete_task(db_session, task.id, other, "Дозвонился")
    assert refused.value.message == (
        "Выполнить задачу может её исполнитель или руководитель отдела продаж"
    )
    assert task.is_open


def test_a_done_task_is_reported_as_done_to_anyone_who_tries_it_again(
    db_session, task, manager, make_user
):
    other = make_user(Role.sales_manager, email="other@test.local")
    crm.complete_task(db_session, task.id, manager, "Дозвонился")
    with pytest.raises(TaskError) as finished:
        crm.complete_task(db_session, task.id, other, "Ещё раз")
    assert finished.value.message == "Задача уже выполнена"
    with pytest.raises(TaskError) as moved:
        crm.reschedule_task(db_session, task.id, other, CLOCK + timedelta(days=1))
    assert moved.value.message == "Задача уже выполнена: перенести её нельзя"


def test_a_task_finished_by_someone_else_since_it_was_read_is_not_finished_twice(
    db_session, task, manager
):
    db_session.commit()
    assert task.is_open  # read by this request, as the task page reads it
    # The head of sales finishes it meanwhile: the row changes under the object already read.
    db_session.execute(
        update(CrmTask).where(CrmTask.id == task.id).values(done_at=CLOCK, result="Готово"),
        execution_options={"synchronize_session": False},
    )
    assert task.is_open

    with pytest.raises(TaskError) as refused:
        crm.complete_task(db_session, task.id, manager, "Дозвонился")

    assert refused.value.message == "Задача уже выполнена"
    assert task.result == "Готово"


def test_a_task_finished_by_someone_else_since_it_was_read_is_not_moved(db_session, task, manager):
    db_session.commit()
    assert task.is_open  # read by this request
    db_session.execute(
        update(CrmTask).where(CrmTask.id == task.id).values(done_at=CLOCK, result="Готово"),
        execution_options={"synchronize_session": False},
    )

    with pytest.raises(TaskError) as refused:
        crm.reschedule_task(db_session, task.id, manager, CLOCK + timedelta(days=1))

    assert refused.value.message == "Задача уже выполнена: перенести её нельзя"
    assert task.due_at == CLOCK + timedelta(hours=3)


def test_the_owner_moves_the_task_and_keeps_it(db_session, task, manager):
    later = CLOCK + timedelta(days=2)
    assert crm.reschedule_task(db_session, task.id, manager, later) is task
    assert (task.due_at, task.owner_id, task.reminded_at) == (later, manager.id, None)


def test_a_task_moved_with_an_explicit_now_is_judged_against_it(db_session, task, manager):
    due = EARLIER + timedelta(hours=1)  # past for the clock, future for the given now
    crm.reschedule_task(db_session, task.id, manager, due, now=EARLIER)
    assert task.due_at == due
    with pytest.raises(TaskError):
        crm.reschedule_task(db_session, task.id, manager, due)


def test_the_head_of_sales_moves_a_task_without_handing_it_over(db_session, task, head, manager):
    crm.reschedule_task(db_session, task.id, head, CLOCK + timedelta(days=2), owner_id=None)
    assert task.owner_id == manager.id


# ------------------------------------------------------------------ reminders


def test_the_reminder_lead_is_an_hour_unless_set(db_session, buyer):
    assert crm.reminder_lead(db_session) == timedelta(hours=1)
    set_setting(db_session, "crm.task_reminder_before", "PT30M")
    assert crm.reminder_lead(db_session) == timedelta(minutes=30)


def test_open_unreminded_tasks_due_within_the_lead_are_reminded_earliest_first(
    db_session, buyer, manager
):
    lead = timedelta(hours=1)
    at_the_edge = plan(db_session, buyer, manager, CLOCK + lead)
    soonest = plan(db_session, buyer, manager, CLOCK + timedelta(minutes=10))
    same_time = plan(db_session, buyer, manager, CLOCK + timedelta(minutes=10))
    plan(db_session, buyer, manager, CLOCK + lead + timedelta(seconds=1))  # not yet
    done = plan(db_session, buyer, manager, CLOCK + timedelta(minutes=5))
    crm.complete_task(db_session, done.id, manager, "Дозвонился")
    reminded = plan(db_session, buyer, manager, CLOCK + timedelta(minutes=5))
    reminded.reminded_at = CLOCK

    due = db_session.scalars(crm.tasks_to_remind(CLOCK, lead)).all()

    assert [t.id for t in due] == [soonest.id, same_time.id, at_the_edge.id]
