"""The beat job `outbox.send_due` delivers through a real Celery worker on the embedded broker
(kombu's SQLAlchemy transport over SQLite), and a message written while no worker runs waits in
the outbox until one does."""

from __future__ import annotations

import pytest
from celery.contrib.testing.worker import start_worker
from sqlalchemy import select

from engine.crm.events import TASK_DUE
from engine.notifications.emit import emit
from models.notifications.outbox import MessageStatus, OutboundMessage
from models.users.user import Role
from tests.notification_support import running_smtp_server
from tests.time_support import wait_until
from web.celery_app import make_celery


@pytest.fixture
def smtp_server():
    with running_smtp_server() as server:
        yield server


def test_the_outbox_job_sends_a_message_written_while_no_worker_ran(
    app, db_session, make_user, smtp_server, monkeypatch, tmp_path
):
    owner = make_user(Role.sales_manager, email="owner@developer.ru")
    emit(db_session, TASK_DUE, user_ids=[owner.id], context={"title": "Позвонить клиенту"})
    db_session.commit()  # no worker yet: the row waits
    message_id = db_session.scalar(select(OutboundMessage.id))
    for key, value in smtp_server.settings().items():
        monkeypatch.setitem(app.config, key, value)

    celery_app = make_celery(app, f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}")
    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        celery_app.send_task("outbox.send_due")

        def handled():
            db_session.rollback()  # end the read snapshot so the worker's commit is seen
            status = db_session.get(OutboundMessage, message_id).status
            return status if status != MessageStatus.pending else None

        status = wait_until(handled, timeout=20, every=0.2)

    assert status == MessageStatus.sent
    [letter] = smtp_server.inbox.to("owner@developer.ru")
    assert letter.message["Subject"].startswith("Задача: Позвонить клиенту")


def test_the_beat_schedule_runs_the_outbox_every_ten_seconds(app, tmp_path):
    celery_app = make_celery(app, f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}")
    entry = celery_app.conf.beat_schedule["outbox-send-due"]
    assert (entry["task"], entry["schedule"]) == ("outbox.send_due", 10.0)
    assert "outbox.send_due" in celery_app.tasks
