"""A message sent after failed attempts keeps how many tries it took, not the last failure's
text: the outbox shows it as sent, with no stale reason beside it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.crm.events import TASK_DUE
from engine.notifications.emit import emit
from engine.notifications.outbox import send_due
from models.db.base import utcnow
from models.notifications.outbox import MessageStatus, OutboundMessage
from models.users.user import Role
from tests.notification_support import running_smtp_server
from web.extensions import db


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


@pytest.fixture
def queued(db_session, make_user) -> int:
    owner = make_user(Role.sales_manager, email="owner@developer.ru")
    emit(db_session, TASK_DUE, user_ids=[owner.id], context={"title": "Позвонить клиенту"})
    db_session.commit()
    return db_session.scalar(select(OutboundMessage.id))


def _row(message_id: int) -> OutboundMessage:
    db.session.expire_all()
    return db.session.get(OutboundMessage, message_id)


def test_a_message_sent_on_its_second_attempt_keeps_no_error_of_the_first(
    db_session, queued, smtp_server, login_as, client
):
    start = utcnow()
    smtp_server.inbox.refuse = "451 4.3.0 Try again later"
    send_due(db_session, smtp_server.settings(), now=start)
    assert "451" in _row(queued).last_error

    smtp_server.inbox.refuse = None
    later = start + timedelta(minutes=2)
    result = send_due(db_session, smtp_server.settings(), now=later)

    message = _row(queued)
    assert (result.sent, message.status, message.attempts) == (1, MessageStatus.sent, 2)
    assert message.last_error is None
    login_as(Role.admin)
    page = client.get("/admin/notifications/outbox").get_data(as_text=True)
    assert "Try again later" not in page
