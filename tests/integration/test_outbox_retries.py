"""An SMTP server that refuses or is down: the message stays in the outbox with the reason, is
retried with back-off, ends as failed, and goes out after a resend once the server is up."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.crm.events import TASK_DUE
from engine.notifications.emit import emit
from engine.notifications.outbox import resend, send_due
from models.db.base import utcnow
from models.db.errors import DomainError
from models.notifications.outbox import MessageStatus, OutboundMessage, retry_delay
from models.users.user import Role
from tests.notification_support import free_port, mail_settings, running_smtp_server
from web.extensions import db


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def queued(db_session, make_user) -> int:
    """One pending email to an employee (a task reminder)."""
    owner = make_user(Role.sales_manager, email="owner@developer.ru")
    emit(db_session, TASK_DUE, user_ids=[owner.id], context={"title": "Позвонить клиенту"})
    db_session.commit()
    return db_session.scalar(select(OutboundMessage.id))


def row(message_id: int) -> OutboundMessage:
    db.session.expire_all()
    return db.session.get(OutboundMessage, message_id)


def test_back_off_doubles_from_a_minute_up_to_an_hour():
    delays = [retry_delay(n) for n in range(1, 10)]
    assert delays[:6] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32)]
    assert delays[6:] == [timedelta(hours=1)] * 3


def test_a_refused_message_waits_with_the_reason_and_is_retried_later(
    db_session, queued, smtp_server
):
    smtp_server.inbox.refuse = "550 5.1.1 Mailbox unavailable"
    start = utcnow()
    settings = smtp_server.settings(OUTBOX_MAX_ATTEMPTS=3)

    first = send_due(db_session, settings, now=start)

    message = row(queued)
    assert (first.retried, message.status, message.attempts) == (1, MessageStatus.pending, 1)
    assert "550" in message.last_error and "Mailbox unavailable" in message.last_error
    assert message.next_attempt_at == start + timedelta(minutes=1)

    assert send_due(db_session, settings, now=start + timedelta(seconds=59)).total == 0
    send_due(db_session, settings, now=start + timedelta(minutes=1))
    message = row(queued)
    assert (message.attempts, message.next_attempt_at) == (2, start + timedelta(minutes=3))

    last = send_due(db_session, settings, now=start + timedelta(minutes=3))

    message = row(queued)
    assert (last.failed, message.status, message.attempts) == (1, MessageStatus.failed, 3)
    assert "550" in message.last_error
    assert smtp_server.inbox.messages == []
    assert send_due(db_session, settings, now=start + timedelta(days=1)).total == 0


def test_a_server_that_is_down_fails_the_message_and_a_resend_delivers_it_when_it_is_up(
    db_session, queued
):
    port = free_port()
    settings = mail_settings(port, OUTBOX_MAX_ATTEMPTS=2)
    start = utcnow()

    send_due(db_session, settings, now=start)
    message = row(queued)
    assert (message.status, message.attempts) == (MessageStatus.pending, 1)
    assert message.last_error == (
        f"Нет связи с SMTP-сервером 127.0.0.1:{port}: "
        "сервер отказал в соединении: он не запущен или порт закрыт"
    )  # no «[Errno 111] Connection refused» for the administrator
    send_due(db_session, settings, now=start + timedelta(minutes=1))
    assert row(queued).status == MessageStatus.failed

    resend(db_session, queued)
    db_session.commit()
    message = row(queued)
    assert (message.status, message.attempts) == (MessageStatus.pending, 0)

    with running_smtp_server(port) as server:  # the server is up again
        result = send_due(db_session, settings)

    message = row(queued)
    assert (result.sent, message.status, message.delivered_via) == (1, MessageStatus.sent, "smtp")
    [letter] = server.inbox.to("owner@developer.ru")
    assert letter.message["Subject"] == "Задача: Позвонить клиенту, срок —"
    assert letter.message["Message-ID"] == f"<outbox-{queued}@developer.ru>"


def test_a_message_that_is_on_its_way_cannot_be_resent(db_session, queued):
    with pytest.raises(DomainError, match="только неотправленное"):
        resend(db_session, queued)


def test_one_refused_recipient_does_not_hold_up_the_others(db_session, make_user, smtp_server):
    good = make_user(Role.sales_manager, email="good@developer.ru")
    bad = make_user(Role.head_of_sales, email="bad@developer.ru")
    emit(db_session, TASK_DUE, user_ids=[good.id, bad.id], context={"title": "Позвонить"})
    db_session.commit()

    smtp_server.inbox.refuse_only["bad@developer.ru"] = "550 5.1.1 No such user"

    result = send_due(db_session, smtp_server.settings())

    assert (result.sent, result.retried) == (1, 1)
    assert [m.rcpt_tos for m in smtp_server.inbox.messages] == [["good@developer.ru"]]


def test_two_send_passes_at_once_deliver_each_message_once(app, db_session, make_user, smtp_server):
    owner = make_user(Role.sales_manager, email="owner@developer.ru")
    for number in range(60):
        emit(db_session, TASK_DUE, user_ids=[owner.id], context={"title": f"Звонок {number}"})
    db_session.commit()
    results = []

    def worker():
        with app.app_context():
            try:
                results.append(send_due(db.session, smtp_server.settings(), batch_size=7))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sum(r.sent for r in results) == 60 and sum(r.total for r in results) == 60
    ids = [m.message["Message-ID"] for m in smtp_server.inbox.messages]
    assert len(ids) == len(set(ids)) == 60
    assert (
        db_session.scalar(select(func.count()).where(OutboundMessage.status == MessageStatus.sent))
        == 60
    )


# A message sent after failed attempts keeps how many tries it took, not the last failure's
# text: the outbox shows it as sent, with no stale reason beside it.
def test_a_message_sent_on_its_second_attempt_keeps_no_error_of_the_first(
    db_session, queued, smtp_server, login_as, client
):
    start = utcnow()
    smtp_server.inbox.refuse = "451 4.3.0 Try again later"
    send_due(db_session, smtp_server.settings(), now=start)
    assert "451" in row(queued).last_error

    smtp_server.inbox.refuse = None
    later = start + timedelta(minutes=2)
    result = send_due(db_session, smtp_server.settings(), now=later)

    message = row(queued)
    assert (result.sent, message.status, message.attempts) == (1, MessageStatus.sent, 2)
    assert message.last_error is None
    login_as(Role.admin)
    page = client.get("/admin/notifications/outbox").get_data(as_text=True)
    assert "Try again later" not in page
