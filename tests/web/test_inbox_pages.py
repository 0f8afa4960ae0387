"""The inbox through HTTP: start from the premise card, complete forms, approve, claim, files."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from engine.core import runtime
from models.notifications.in_app import Notification
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessInstance
from models.users.user import Role
from tests.factories import process


@pytest.fixture
def premise(make_building, make_premise):
    return make_premise(make_building(), number="42", price="10000000.00")


def open_tasks(db_session):
    return db_session.scalars(
        select(HumanTask).where(HumanTask.status == HumanTaskStatus.open).order_by(HumanTask.id)
    ).all()


def count(db_session, model) -> int:
    return db_session.scalar(select(func.count()).select_from(model))


def test_a_manager_requests_a_price_change_and_the_head_approves_it(
    client, login_as, db_session, premise
):
    manager = login_as(Role.sales_manager)
    page = client.get(f"/premises/{premise.id}/price-change").get_data(as_text=True)
    assert "Новая цена помещения № 42" in page
    assert 'data-testid="premise-summary"' in page
    assert "10\u00a0000\u00a0000,00\u00a0₽" in page
    assert "Снижение больше чем на 3 % от базовой цены уйдёт на согласование" in page
    assert count(db_session, HumanTask) == 0  # the form shown creates nothing
    assert count(db_session, ProcessInstance) == 0

    refused = client.post(f"/premises/{premise.id}/price-change", data={"new_price": "много"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert "Введите сумму, например 12 345,50" in text and "Обязательное поле" in text
    assert 'value="много"' in text  # kept as typed
    assert count(db_session, HumanTask) == 0 and count(db_session, ProcessInstance) == 0

    done = client.post(
        f"/premises/{premise.id}/price-change",
        data={"new_price": "9 000 000", "reason": "Долгая экспозиция"},
    )
    assert done.status_code == 302
    assert done.headers["Location"].endswith(f"/premises/{premise.id}")
    [proposed] = db_session.scalars(
        select(HumanTask).where(HumanTask.task_name == "propose_price")
    ).all()
    assert proposed.completed_by_id == manager.id
    [approval] = open_tasks(db_session)
    assert approval.role == Role.head_of_sales

    assert client.post(f"/inbox/tasks/{approval.id}/complete", data={}).status_code in (403, 409)

    login_as(Role.head_of_sales)
    available = client.get("/inbox/?tab=available").get_data(as_text=True)
    assert f"/inbox/tasks/{approval.id}" in available
    decision_page = client.get(f"/inbox/tasks/{approval.id}").get_data(as_text=True)
    assert "Обоснование менеджера: Долгая экспозиция" in decision_page  # the context to decide
    approved = client.post(f"/inbox/tasks/{approval.id}/complete", data={"decision": "approve"})
    assert approved.status_code == 302
    db_session.refresh(premise)
    assert premise.price == Decimal("9000000.00")

    login_as(Role.sales_manager)
    requests_page = client.get("/inbox/requests").get_data(as_text=True)
    assert "Согласовано" in requests_page


def test_a_small_reduction_is_applied_when_the_request_is_sent(
    client, login_as, db_session, premise
):
    login_as(Role.sales_manager)
    done = client.post(
        f"/premises/{premise.id}/price-change", data={"new_price": "9 800 000", "reason": "торг"}
    )
    assert "Цена изменена" in client.get(done.headers["Location"]).get_data(as_text=True)
    db_session.refresh(premise)
    assert premise.price == Decimal("9800000.00")
    assert open_tasks(db_session) == []


def test_a_second_request_for_the_same_premise_is_refused(client, login_as, db_session, premise):
    login_as(Role.sales_manager)
    client.post(
        f"/premises/{premise.id}/price-change", data={"new_price": "5 000 000", "reason": "x"}
    )
    again = client.get(f"/premises/{premise.id}/price-change", follow_redirects=True)
    assert "уже идёт согласование цены" in again.get_data(as_text=True)
    assert len(open_tasks(db_session)) == 1


def test_completing_a_finished_task_answers_409(client, login_as, db_session, premise, head):
    login_as(Role.sales_manager)
    client.post(
        f"/premises/{premise.id}/price-change", data={"new_price": "5 000 000", "reason": "x"}
    )
    [task] = open_tasks(db_session)
    login_as(Role.head_of_sales)
    client.post(f"/inbox/tasks/{task.id}/complete", data={"decision": "approve"})
    again = client.post(f"/inbox/tasks/{task.id}/complete", data={"decision": "approve"})
    assert again.status_code == 409
    assert "уже выполнена" in again.get_data(as_text=True)


def test_claim_release_and_reassign(client, login_as, make_user, db_session, premise):
    manager = make_user(Role.sales_manager, email="m1@test.local")
    runtime.start(
        db_session,
        "price_change",
        data={"premise_number": "42", "current_price": "10000000.00"},
        business_keys={"premise_id": premise.id},
        user=manager,
    )
    [task] = open_tasks(db_session)
    runtime.complete(db_session, task.id, manager, {"new_price": "100", "reason": "x"})
    db_session.commit()
    [approval] = open_tasks(db_session)

    head = login_as(Role.head_of_sales)
    assert client.post(f"/inbox/tasks/{approval.id}/claim").status_code == 302
    db_session.refresh(approval)
    assert approval.assignee_id == head.id
    assert client.post(f"/inbox/tasks/{approval.id}/release").status_code == 302
    db_session.refresh(approval)
    assert approval.assignee_id is None

    other_head = make_user(Role.head_of_sales, email="h2@test.local")
    moved = client.post(f"/inbox/tasks/{approval.id}/reassign", data={"user_id": other_head.id})
    assert moved.status_code == 302
    db_session.refresh(approval)
    assert approval.assignee_id == other_head.id
    refused = client.post(f"/inbox/tasks/{approval.id}/reassign", data={"user_id": manager.id})
    assert refused.status_code == 409
    assert "передать нельзя" in refused.get_data(as_text=True)

    login_as(Role.sales_manager)
    forbidden = client.post(f"/inbox/tasks/{approval.id}/reassign", data={"user_id": head.id})
    assert forbidden.status_code == 403


def test_a_file_field_is_stored_and_downloadable(client, login_as, db_session, premise):
    process.published(db_session, "engine_features")
    instance = runtime.start(
        db_session,
        "engine_features",
        data={"mode": "message", "amount": "1"},
        business_keys={"premise_id": premise.id},
    )
    runtime.send_message(db_session, "payment_received", "premise_id", premise.id, {})
    db_session.commit()
    [confirm] = open_tasks(db_session)

    login_as(Role.sales_manager)
    wrong = client.post(
        f"/inbox/tasks/{confirm.id}/complete",
        data={"note": "x", "scan": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert wrong.status_code == 422
    assert "Допустимы PDF" in wrong.get_data(as_text=True)

    done = client.post(
        f"/inbox/tasks/{confirm.id}/complete",
        data={"note": "скан", "scan": (io.BytesIO(b"%PDF-1.4 test"), "договор.pdf")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    event = [e for e in instance.events if e.task_name == "confirm"][0]
    stored = event.data["scan"]["file"]
    download = client.get(f"/inbox/files/{stored}")
    assert download.status_code == 200
    assert download.data == b"%PDF-1.4 test"
    assert client.get("/inbox/files/..%2Fsales.sqlite").status_code == 404


def test_notifications_are_counted_and_marked_read(client, login_as, db_session):
    user = login_as(Role.sales_manager)
    db_session.add(Notification(user_id=user.id, text="Срок задачи истекает", link="/inbox/"))
    db_session.commit()
    page = client.get("/inbox/").get_data(as_text=True)
    assert 'data-testid="notifications"' in page and 'bg-danger">1<' in page
    client.post("/inbox/notifications/read", data={"next": "//evil.example"})
    assert db_session.scalars(select(Notification)).one().read_at is not None
