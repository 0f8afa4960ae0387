"""Admin pages of notifications: texts with preview and checks, the outbox with reasons and resend,
and `flask --app web outbox send`."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.crm.events import TASK_DUE
from engine.notifications.emit import emit
from engine.notifications.outbox import send_due
from models.notifications.outbox import MessageStatus, NotificationTemplate, OutboundMessage
from models.users.user import Role
from tests.notification_support import free_port, mail_settings, running_smtp_server
from web.extensions import db

EDIT = "/admin/notifications/templates/edit?event=task_due&audience=staff&channel=email"


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def templates_stored() -> int:
    return db.session.scalar(select(func.count()).select_from(NotificationTemplate))


def queue_reminder(make_user, email: str = "owner@developer.ru") -> int:
    owner = make_user(Role.sales_manager, email=email)
    emit(db.session, TASK_DUE, user_ids=[owner.id], context={"title": "Позвонить"})
    db.session.commit()
    return db.session.scalar(select(OutboundMessage.id).order_by(OutboundMessage.id.desc()))


def test_the_admin_sees_every_text_with_its_state(client, login_as):
    login_as(Role.admin)
    page = client.get("/admin/notifications/templates").get_data(as_text=True)
    assert "Бронь поставлена" in page and "Срок задачи подходит" in page
    assert 'id="template-reservation_made-client-sms"' in page
    assert "реклама" in page  # the marketing offer is marked


def test_the_edit_page_lists_the_placeholders_and_shows_a_preview(client, login_as):
    login_as(Role.admin)
    page = client.get(EDIT).get_data(as_text=True)
    assert "{due_at_text}" in page and "Срок задачи" in page
    assert "Задача: Позвонить клиенту, срок 16.06.2026 11:00" in page  # the sample


def test_a_preview_shows_the_typed_text_and_saves_nothing(client, login_as):
    login_as(Role.admin)
    response = client.post(
        EDIT,
        data={"subject": "Звонок: {title}", "body": "Клиент {client_name}", "action": "preview"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Звонок: Позвонить клиенту" in page and "Клиент Иванов Иван Иванович" in page
    assert templates_stored() == 0


def test_the_admin_saves_a_text_and_it_is_used(client, login_as):
    login_as(Role.admin)
    response = client.post(
        EDIT, data={"subject": "Звонок: {title}", "body": "До {due_at_text}", "action": "save"}
    )
    assert response.status_code == 302
    row = db.session.scalar(select(NotificationTemplate))
    assert (row.event, row.audience, row.channel) == ("task_due", "staff", "email")
    assert (row.subject, row.body) == ("Звонок: {title}", "До {due_at_text}")
    page = client.get("/admin/notifications/templates").get_data(as_text=True)
    assert "изменён" in page

    assert client.post(EDIT.replace("/edit", "/reset")).status_code == 302
    assert templates_stored() == 0


def test_a_bad_text_is_refused_with_a_clear_message_and_nothing_is_written(client, login_as):
    login_as(Role.admin)
    for body, words in [
        ("До {due_at}", "Неизвестная подстановка {due_at}"),
        ("До {due_at_text", "Фигурные скобки не парные"),
        ("{title.__class__}", "без точек и скобок"),
    ]:
        response = client.post(EDIT, data={"subject": "Тема", "body": body, "action": "save"})
        assert response.status_code == 422, body
        assert words in response.get_data(as_text=True), body
    assert templates_stored() == 0


def test_an_unknown_template_is_not_found(client, login_as):
    login_as(Role.admin)
    assert client.get(EDIT.replace("task_due", "no_such_event")).status_code == 404


def test_the_outbox_shows_why_a_message_failed_and_the_admin_resends_it(
    client, login_as, make_user
):
    message_id = queue_reminder(make_user)
    send_due(db.session, mail_settings(free_port(), OUTBOX_MAX_ATTEMPTS=1))
    login_as(Role.admin)

    page = client.get("/admin/notifications/outbox?status=failed").get_data(as_text=True)
    assert f'id="message-{message_id}" data-status="failed"' in page
    assert "Нет связи с SMTP-сервером 127.0.0.1" in page
    assert "Отправить снова" in page

    response = client.post(f"/admin/notifications/outbox/{message_id}/resend")

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(OutboundMessage, message_id).status == MessageStatus.pending


def test_the_outbox_filters_by_channel(client, login_as, make_user):
    queue_reminder(make_user)
    login_as(Role.admin)
    assert "owner@developer.ru" in client.get("/admin/notifications/outbox?channel=email").text
    assert "owner@developer.ru" not in client.get("/admin/notifications/outbox?channel=sms").text


def test_the_head_of_sales_sees_the_outbox_but_cannot_resend(client, login_as, make_user):
    message_id = queue_reminder(make_user)
    send_due(db.session, mail_settings(free_port(), OUTBOX_MAX_ATTEMPTS=1))
    login_as(Role.head_of_sales)

    assert "Отправить снова" not in client.get("/admin/notifications/outbox").text
    assert client.post(f"/admin/notifications/outbox/{message_id}/resend").status_code == 403


def test_resending_a_message_that_was_sent_is_refused(client, login_as, make_user, smtp_server):
    message_id = queue_reminder(make_user)
    send_due(db.session, smtp_server.settings())
    login_as(Role.admin)

    response = client.post(f"/admin/notifications/outbox/{message_id}/resend")

    assert response.status_code == 422
    assert "только неотправленное" in response.text


def test_the_command_line_runs_one_send_pass(app, make_user, smtp_server, monkeypatch):
    queue_reminder(make_user)
    for key, value in smtp_server.settings().items():
        monkeypatch.setitem(app.config, key, value)

    result = app.test_cli_runner().invoke(args=["outbox", "send"])

    assert result.exit_code == 0, result.output
    assert "отправлено: 1" in result.output
    assert len(smtp_server.inbox.messages) == 1
