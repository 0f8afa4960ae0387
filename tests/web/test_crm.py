"""CRM through HTTP: log a contact, plan a task, finish or move it, see it in the inbox."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from engine.core import runtime
from engine.crm import use_cases as crm
from models.crm.history import CrmTask, Interaction, InteractionKind
from models.db.base import utcnow
from models.users.user import Role


def local(moment) -> str:
    """What a browser's datetime-local field sends."""
    return moment.astimezone(ZoneInfo("Europe/Moscow")).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def buyer(make_client):
    return make_client("Соколова Анна", "+79161112233")


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def plan(client, buyer, **fields):
    data = {"title": "Перезвонить по ипотеке", "kind": "call", "due_at": "", **fields}
    return client.post(f"/crm/clients/{buyer.id}/tasks", data=data)


def test_a_manager_logs_a_call_and_it_lands_on_the_timeline(client, login_as, db_session, buyer):
    manager = login_as(Role.sales_manager)
    response = client.post(
        f"/crm/clients/{buyer.id}/interactions",
        data={
            "kind": "call",
            "direction": "in",
            "summary": "Спрашивала про двушки",
            "body": "Интересует 2-комнатная до 12 млн",
            "at": "",
            "next": f"/clients/{buyer.id}",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/clients/{buyer.id}#timeline")
    call = db_session.scalars(select(Interaction)).one()
    assert (call.kind, call.direction, call.user_id) == (InteractionKind.call, "in", manager.id)
    assert utcnow() - call.at < timedelta(minutes=1)

    page = client.get(f"/crm/clients/{buyer.id}/timeline").get_data(as_text=True)
    assert "Спрашивала про двушки" in page and "Интересует 2-комнатная" in page
    assert "Звонок" in page and "входящий" in page


def test_a_redirect_never_leaves_the_site(client, login_as, buyer):
    login_as(Role.sales_manager)
    data = {"kind": "visit", "summary": "Пришёл в офис", "next": "//evil.example/x"}
    response = client.post(f"/crm/clients/{buyer.id}/interactions", data=data)
    assert "evil" not in response.headers["Location"]
    assert response.headers["Location"].endswith(f"/clients/{buyer.id}#timeline")


def test_a_planned_task_is_in_my_inbox_next_to_process_tasks_each_marked(
    client, login_as, db_session, buyer, make_building, make_premise
):
    manager = login_as(Role.sales_manager)
    premise = make_premise(make_building())
    runtime.start(  # the price proposal comes back to the manager who started it
        db_session,
        "price_change",
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    db_session.commit()
    tomorrow = utcnow() + timedelta(days=1)
    assert plan(client, buyer, due_at=local(tomorrow)).status_code == 302
    task = db_session.scalars(select(CrmTask)).one()
    assert (task.owner_id, task.created_by_id, task.reminded_at) == (manager.id, manager.id, None)

    inbox = client.get("/inbox/").get_data(as_text=True)
    assert 'data-source="crm"' in inbox and 'data-source="process"' in inbox
    assert "задача CRM" in inbox and ">процесс<" in inbox
    assert f"/crm/tasks/{task.id}" in inbox and "Соколова Анна" in inbox
    assert 'data-testid="tab-mine">Мои <span class="badge bg-secondary">2</span>' in inbox

    only_crm = client.get("/inbox/?kind=crm").get_data(as_text=True)
    assert 'data-source="crm"' in only_crm and 'data-source="process"' not in only_crm
    only_process = client.get("/inbox/?kind=process").get_data(as_text=True)
    assert 'data-source="crm"' not in only_process and 'data-source="process"' in only_process

    page = client.get(f"/crm/tasks/{task.id}").get_data(as_text=True)
    assert "Перезвонить по ипотеке" in page and 'data-testid="complete-task"' in page


def test_overdue_tasks_are_highlighted_in_the_inbox_and_on_the_card(
    client, login_as, db_session, buyer
):
    login_as(Role.sales_manager)
    yesterday = utcnow() - timedelta(days=1)
    assert plan(client, buyer, due_at=local(yesterday), allow_past="1").status_code == 302
    task = db_session.scalars(select(CrmTask)).one()
    assert task.reminded_at is not None  # late already: highlighted, not reminded

    overdue = client.get("/inbox/?tab=overdue").get_data(as_text=True)
    assert (
        'data-testid="tab-overdue">Просроченные <span class="badge bg-danger">1</span>' in overdue
    )
    assert 'class="table-danger" data-source="crm"' in overdue and "просрочена" in overdue
    timeline = client.get(f"/crm/clients/{buyer.id}/timeline").get_data(as_text=True)
    assert 'data-overdue="yes"' in timeline
    assert 'data-testid="overdue"' in client.get(f"/crm/tasks/{task.id}").get_data(as_text=True)


def test_the_owner_completes_a_task_and_the_result_becomes_an_event(
    client, login_as, db_session, buyer
):
    login_as(Role.sales_manager)
    plan(client, buyer, due_at=local(utcnow() + timedelta(hours=3)))
    task = db_session.scalars(select(CrmTask)).one()
    done = client.post(f"/crm/tasks/{task.id}/complete", data={"result": "Записал на показ"})
    assert done.status_code == 302
    db_session.refresh(task)
    assert task.done_at is not None and task.result == "Записал на показ"
    event = db_session.scalars(select(Interaction)).one()
    assert (event.summary, event.body, event.link) == (
        "Перезвонить по ипотеке",
        "Записал на показ",
        f"/crm/tasks/{task.id}",
    )
    assert "Записал на показ" in client.get(f"/crm/tasks/{task.id}").get_data(as_text=True)
    assert f"/crm/tasks/{task.id}" not in client.get("/inbox/").get_data(as_text=True)

    again = client.post(f"/crm/tasks/{task.id}/complete", data={"result": "Ещё раз"})
    assert again.status_code == 422
    assert "Задача уже выполнена" in again.get_data(as_text=True)
    assert count(db_session, Interaction) == 1


def test_a_task_is_rescheduled_and_will_be_reminded_again(client, login_as, db_session, buyer):
    manager = login_as(Role.sales_manager)
    task = crm.plan_task(
        db_session, buyer.id, manager, title="Встреча", kind="meeting", due_at=utcnow()
    )
    db_session.commit()
    assert task.reminded_at is not None
    later = utcnow() + timedelta(days=2)
    response = client.post(f"/crm/tasks/{task.id}/reschedule", data={"due_at": local(later)})
    assert response.status_code == 302
    db_session.refresh(task)
    assert task.reminded_at is None
    assert local(task.due_at) == local(later)

    past = client.post(f"/crm/tasks/{task.id}/reschedule", data={"due_at": "01.01.2020 10:00"})
    assert past.status_code == 422
    assert "Новый срок должен быть в будущем" in past.get_data(as_text=True)


def test_a_head_of_sales_assigns_a_task_but_a_manager_cannot(
    client, login_as, db_session, buyer, make_user
):
    colleague = make_user(Role.sales_manager, email="colleague@test.local")
    due = local(utcnow() + timedelta(days=1))
    login_as(Role.sales_manager)
    refused = plan(client, buyer, due_at=due, owner_id=str(colleague.id))
    assert refused.status_code == 422
    assert "может только руководитель отдела продаж" in refused.get_data(as_text=True)
    assert count(db_session, CrmTask) == 0

    login_as(Role.head_of_sales)
    page = client.get(f"/crm/clients/{buyer.id}/timeline").get_data(as_text=True)
    assert f'<option value="{colleague.id}"' in page
    assert plan(client, buyer, due_at=due, owner_id=str(colleague.id)).status_code == 302
    assert db_session.scalars(select(CrmTask)).one().owner_id == colleague.id


def test_only_the_owner_or_the_head_finishes_a_task_and_analysts_only_read(
    client, login_as, db_session, buyer, make_user
):
    owner = make_user(Role.mortgage_broker)
    task = crm.plan_task(
        db_session, buyer.id, owner, title="Отправить одобрение", kind="email", due_at=utcnow()
    )
    db_session.commit()
    login_as(Role.sales_manager)
    assert client.post(f"/crm/tasks/{task.id}/complete", data={"result": "x"}).status_code == 403
    later = {"due_at": local(utcnow() + timedelta(days=1))}
    assert client.post(f"/crm/tasks/{task.id}/reschedule", data=later).status_code == 403

    login_as(Role.analyst)
    page = client.get(f"/crm/tasks/{task.id}").get_data(as_text=True)
    assert "Отправить одобрение" in page and 'data-testid="complete-task"' not in page
    timeline = client.get(f"/crm/clients/{buyer.id}/timeline").get_data(as_text=True)
    assert 'data-testid="log-interaction"' not in timeline
    log = {"kind": "call", "summary": "x"}
    assert client.post(f"/crm/clients/{buyer.id}/interactions", data=log).status_code == 403
    assert client.post(f"/crm/tasks/{task.id}/complete", data={"result": "x"}).status_code == 403

    login_as(Role.head_of_sales)
    done = client.post(f"/crm/tasks/{task.id}/complete", data={"result": "Отправлено"})
    assert done.status_code == 302
    assert count(db_session, Interaction) == 1


GOOD_LOG = {"kind": "call", "direction": "out", "summary": "Позвонил", "at": ""}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**GOOD_LOG, "summary": "  "}, "Кратко опишите, о чём был контакт"),
        ({**GOOD_LOG, "kind": "fax"}, "Выберите вид: звонок, встреча"),
        ({**GOOD_LOG, "kind": "system"}, "Выберите вид: звонок, встреча"),
        ({**GOOD_LOG, "direction": "sideways"}, "Направление: входящий или исходящий"),
        ({**GOOD_LOG, "at": "вчера"}, "Введите дату и время: дд.мм.гггг чч:мм"),
        ({**GOOD_LOG, "at": "01.01.2099 10:00"}, "Событие не может быть в будущем"),
        ({**GOOD_LOG, "summary": "я" * 301}, "Не длиннее 300 символов"),
    ],
)
def test_a_bad_interaction_is_refused_with_a_message_and_nothing_is_written(
    client, login_as, db_session, buyer, data, message
):
    login_as(Role.sales_manager)
    response = client.post(f"/crm/clients/{buyer.id}/interactions", data=data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert message in text and 'data-testid="log-interaction"' in text
    assert count(db_session, Interaction) == 0


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": ""}, "Напишите, что нужно сделать"),
        ({"due_at": ""}, "Укажите срок: дату и время"),
        ({"due_at": "31.02.2026 10:00"}, "Введите дату и время"),
        ({"due_at": "01.01.2020 10:00"}, "Срок уже прошёл"),
        ({"kind": "система"}, "Выберите вид"),
        ({"owner_id": "99999"}, "только сотруднику отдела продаж"),
    ],
)
def test_a_bad_task_is_refused_with_a_message_and_nothing_is_written(
    client, login_as, db_session, buyer, fields, message
):
    login_as(Role.head_of_sales)
    data = {"due_at": local(utcnow() + timedelta(days=1)), **fields}
    response = plan(client, buyer, **data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(db_session, CrmTask) == 0


def test_a_merged_or_unknown_client_gets_no_events_or_tasks(
    client, login_as, db_session, buyer, make_client
):
    login_as(Role.sales_manager)
    survivor = make_client("Соколова Анна Петровна", "+79161112244")
    buyer.merged_into_id = survivor.id
    db_session.commit()
    due = local(utcnow() + timedelta(days=1))
    merged = plan(client, buyer, due_at=due)
    assert merged.status_code == 422
    assert f"объединена с карточкой № {survivor.id}" in merged.get_data(as_text=True)
    logged = client.post(f"/crm/clients/{buyer.id}/interactions", data=GOOD_LOG)
    assert logged.status_code == 422
    missing = client.post("/crm/clients/999999/tasks", data={"title": "x", "due_at": due})
    assert missing.status_code == 404 and "Клиент № 999999 не найден" in missing.get_data(True)
    assert (count(db_session, CrmTask), count(db_session, Interaction)) == (0, 0)


def test_completing_without_a_result_writes_nothing(client, login_as, db_session, buyer):
    manager = login_as(Role.sales_manager)
    task = crm.plan_task(
        db_session, buyer.id, manager, title="Звонок", kind="call", due_at=utcnow()
    )
    db_session.commit()
    response = client.post(f"/crm/tasks/{task.id}/complete", data={"result": "   "})
    assert response.status_code == 422
    assert "Опишите результат" in response.get_data(as_text=True)
    db_session.refresh(task)
    assert task.is_open and count(db_session, Interaction) == 0
