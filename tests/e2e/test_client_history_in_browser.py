"""A client's history in a real Chromium, with a real SMTP server on loopback (issue 5).

A manager reserves a free flat for a new client (email, consent) from the premise card; the
outbox send pass (what the Celery job `outbox.send_due` runs) delivers the reservation email to
an aiosmtpd server. The manager finds the client from the header search by the phone typed
another way, logs a call and plans a task for tomorrow on the card, and sees the call, the task
and the reservation on the timeline. The task's due time is brought within the reminder lead;
one engine tick (Celery beat) reminds the manager: the counter in the header and the
notifications page show it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from engine.core.tick import run_until_idle
from engine.notifications.outbox import send_due
from models.catalog.objects import Premise, PremiseKind, PremiseStatus
from models.clients.client import Client, ClientPhone
from models.crm.history import CrmTask, Interaction, InteractionKind
from models.db.base import utcnow
from models.notifications.in_app import Notification
from models.users.user import User
from tests.e2e.browser_support import log_in
from tests.notification_support import running_smtp_server
from web.extensions import db

pytestmark = pytest.mark.e2e

MANAGER = "sales_manager@demo.local"
CLIENT_NAME = "Орлова Вера Николаевна"
CLIENT_PHONE = "+7 977 418-29-53"  # stored as +79774182953
PHONE_TYPED_ANOTHER_WAY = "8 (977) 418-29-53"
CLIENT_EMAIL = "vera.orlova@buyer.ru"
CALL_SUMMARY = "Обсудили ипотеку и первый взнос"
TASK_TITLE = "Перезвонить по одобрению ипотеки"
RESERVATION_URL = re.compile(r"/reservations/(\d+)$")
CARD_URL = re.compile(r"/clients/(\d+)(#timeline)?$")


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def free_flat() -> tuple[int, str]:
    premise = db.session.scalars(
        select(Premise)
        .where(Premise.status == PremiseStatus.available, Premise.kind == PremiseKind.apartment)
        .order_by(Premise.id)
        .limit(1)
    ).one()
    found = premise.id, premise.number
    db.session.rollback()  # hold no transaction while the server writes
    return found


def timeline_entry(page, source: str, text: str):
    return page.get_by_test_id("timeline-entries").locator(
        f'li[data-source="{source}"]', has_text=text
    )


def test_a_reservation_email_a_call_a_task_and_its_reminder_make_the_clients_history(
    new_page, live_server, demo_data, smtp_server, screenshot_dir
):
    shots = screenshot_dir
    premise_id, number = free_flat()
    assert (
        db.session.scalars(select(ClientPhone).where(ClientPhone.phone == "+79774182953")).first()
        is None
    ), "the demo data already has this phone"
    db.session.rollback()

    # 1. The manager reserves a free flat for a new client from the premise card.
    page = new_page()
    log_in(page, live_server, MANAGER)
    page.goto(f"{live_server}/premises/{premise_id}")
    expect(page.get_by_test_id("premise-status")).to_have_text("Свободно")
    page.get_by_test_id("reserve").click()
    page.wait_for_url(f"{live_server}/premises/{premise_id}/reserve")
    page.get_by_label("Телефон клиента").fill(CLIENT_PHONE)
    page.get_by_label("ФИО").fill(CLIENT_NAME)
    page.get_by_label("Эл. почта", exact=True).fill(CLIENT_EMAIL)
    page.get_by_label("согласие на обработку персональных данных").check()
    page.screenshot(path=str(shots / "1-reserve-form.png"))
    page.get_by_role("button", name="Поставить бронь").click()
    page.wait_for_url(RESERVATION_URL)
    expect(page.get_by_test_id("reservation-status")).to_have_text("Действует")

    # 2. The send pass, as the Celery job runs it, delivers the email to the loopback server.
    db.session.rollback()
    sent = send_due(db.session, smtp_server.settings())
    assert sent.failed == 0 and sent.retried == 0, sent
    assert sent.sent >= 1
    [mail] = smtp_server.inbox.to(CLIENT_EMAIL)
    assert mail.message["To"] == CLIENT_EMAIL
    assert mail.message["Subject"] == f"Помещение № {number} забронировано за вами"
    assert f"Здравствуйте, {CLIENT_NAME}!" in mail.body
    assert f"За вами забронировано помещение № {number}" in mail.body
    assert "Бронь действует до" in mail.body

    # 3. The manager finds the client by the phone typed another way and opens the card.
    search = page.get_by_test_id("client-search").get_by_role("searchbox")
    search.fill(PHONE_TYPED_ANOTHER_WAY)
    search.press("Enter")
    page.wait_for_url(re.compile(r"/clients\?q="))
    page.screenshot(path=str(shots / "2-search-results.png"))
    page.get_by_test_id("clients").get_by_role("link", name=CLIENT_NAME).click()
    page.wait_for_url(CARD_URL)
    card_url = page.url.split("#")[0]
    expect(page.get_by_test_id("client-name")).to_have_text(CLIENT_NAME)
    expect(page.get_by_test_id("phones")).to_have_text(CLIENT_PHONE)

    # 4. Logs a call.
    page.get_by_text("Записать событие: звонок, встречу, визит…").click()
    log_form = page.get_by_test_id("log-interaction")
    log_form.get_by_label("Вид").select_option(label="Звонок")
    log_form.get_by_label("Направление").select_option(label="исходящий")
    log_form.get_by_label("Кратко").fill(CALL_SUMMARY)
    log_form.get_by_role("button", name="Записать").click()
    page.wait_for_url(CARD_URL)
    expect(page.get_by_text("Событие записано в историю клиента")).to_be_visible()

    # 5. Plans a task for tomorrow (the form offers tomorrow 10:00).
    page.get_by_text("Поставить задачу: следующий контакт").click()
    task_form = page.get_by_test_id("plan-task")
    task_form.get_by_label("Что сделать").fill(TASK_TITLE)
    task_form.get_by_label("Вид").select_option(label="Звонок")
    expect(task_form.get_by_role("textbox", name="Срок")).to_have_value(re.compile(r"T10:00$"))
    task_form.get_by_role("button", name="Поставить задачу").click()
    page.wait_for_url(CARD_URL)
    expect(page.get_by_text(f"Задача «{TASK_TITLE}» поставлена на")).to_be_visible()

    # 6. The timeline: the call, the planned task and the reservation made earlier.
    call = timeline_entry(page, "interaction", CALL_SUMMARY)
    expect(call).to_have_count(1)
    expect(call).to_have_attribute("data-kind", "call")
    expect(call).to_contain_text("Звонок")
    expect(call).to_contain_text("исходящий")
    task = timeline_entry(page, "task", TASK_TITLE)
    expect(task).to_have_count(1)
    expect(task).to_contain_text("Срок:")
    expect(page.get_by_test_id("open-tasks")).to_contain_text(TASK_TITLE)
    reservation = timeline_entry(page, "reservation", f"помещение № {number}")
    expect(reservation).to_have_count(1)
    expect(timeline_entry(page, "notification", CLIENT_EMAIL).first).to_be_visible()
    page.get_by_test_id("timeline").scroll_into_view_if_needed()
    page.screenshot(path=str(shots / "3-card-timeline.png"), full_page=True)

    client = db.session.scalars(select(Client).where(Client.full_name == CLIENT_NAME)).one()
    kinds = {i.kind for i in db.session.scalars(select(Interaction).filter_by(client_id=client.id))}
    assert {InteractionKind.call, InteractionKind.system} <= kinds
    crm_task = db.session.scalars(select(CrmTask).where(CrmTask.title == TASK_TITLE)).one()
    manager = db.session.scalars(select(User).where(User.email == MANAGER)).one()
    assert crm_task.owner_id == manager.id and crm_task.reminded_at is None
    assert crm_task.due_at - utcnow() > timedelta(hours=1)  # tomorrow: not reminded yet
    task_id, manager_id = crm_task.id, manager.id
    db.session.rollback()

    # Read what is there so far (the reservation's own notice): the counter starts from zero.
    page.locator("nav.navbar").get_by_test_id("notifications").click()
    page.wait_for_url(re.compile(r"/notifications$"))
    page.reload()
    expect(page.get_by_test_id("notifications").locator(".badge")).to_have_count(0)

    # 7. The task becomes due within the reminder lead (1 hour); the beat's tick reminds.
    db.session.get(CrmTask, task_id).due_at = utcnow() + timedelta(minutes=30)
    db.session.commit()
    result = run_until_idle(db.session)
    assert result.errors == 0
    assert result.jobs["crm_task_reminders"] == 1
    reminders = db.session.scalars(
        select(Notification).where(
            Notification.user_id == manager_id, Notification.read_at.is_(None)
        )
    ).all()
    assert [n.link for n in reminders] == [f"/crm/tasks/{task_id}"]
    db.session.rollback()

    page.goto(card_url)
    counter = page.get_by_test_id("notifications")
    expect(counter.locator(".badge")).to_have_text("1")
    page.screenshot(path=str(shots / "4-card-counter.png"))
    counter.click()
    page.wait_for_url(re.compile(r"/notifications$"))
    reminder = page.locator("li.list-group-item", has_text=TASK_TITLE)
    expect(reminder).to_have_count(1)
    expect(reminder).to_contain_text(re.compile(rf"Срок задачи .+: {TASK_TITLE} \({CLIENT_NAME}\)"))
    expect(reminder.get_by_role("link")).to_have_attribute("href", f"/crm/tasks/{task_id}")
    page.screenshot(path=str(shots / "5-notifications.png"), full_page=True)
    reminder.get_by_role("link").click()
    page.wait_for_url(re.compile(rf"/crm/tasks/{task_id}$"))
    page.screenshot(path=str(shots / "6-task.png"), full_page=True)
