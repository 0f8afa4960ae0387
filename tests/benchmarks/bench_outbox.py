"""Outbox throughput: 1,000 emails to a loopback SMTP server (aiosmtpd), time until all are sent.

The messages are written the way the product writes them (`emit` → outbox rows, one commit),
then sent by `engine.outbox.send_due`, the pass the Celery beat job runs. For scale, the same
1,000 messages are also pushed through one bare smtplib connection (the ceiling of this SMTP
server). The server runs in its own process, as a real one would: in-process it would share
the GIL with the sender and slow both. Runs on a fresh SQLite database in a temp dir, and also
on PostgreSQL when BENCH_POSTGRES_URL (or TEST_DATABASE_URL) names one; its schema `public` is
dropped first.
Only prints; nothing here asserts a time.
"""

from __future__ import annotations

import multiprocessing
import smtplib
import time
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import func, select

from engine.crm.events import TASK_DUE
from engine.notifications.delivery import Email, Mailer
from engine.notifications.emit import emit
from engine.notifications.outbox import send_due
from models.notifications.outbox import MessageStatus, OutboundMessage
from models.users.user import Role, User
from tests.benchmarks.support import databases, migrated_app
from tests.notification_support import SmtpInbox, free_port, mail_settings
from web.extensions import db

EMAILS = 1_000


def main() -> None:
    with databases("bench-outbox") as (folder, found):
        for label, url in found:
            measure(label, url, folder)


def measure(label: str, url: str, folder: Path) -> None:
    app = migrated_app(url, folder / "uploads")
    with smtp_process() as (port, received):
        with app.app_context():
            write_seconds = _write_messages()
            started = time.perf_counter()
            result = send_due(db.session, mail_settings(port, MAIL_TIMEOUT=30), batch_size=100)
            send_seconds = time.perf_counter() - started
            sent = db.session.scalar(
                select(func.count()).where(OutboundMessage.status == MessageStatus.sent)
            )
            db.session.remove()
            db.engine.dispose()
        delivered = received.value
        bare_seconds = _bare_smtp(port)

    assert sent == EMAILS and delivered == EMAILS, (sent, delivered, result)
    print(f"{label}: {EMAILS} emails through the outbox to aiosmtpd on 127.0.0.1")
    print(f"  writing the rows (emit → outbox, one commit): {write_seconds:.2f} s")
    print(
        f"  send pass until all sent: {send_seconds:.2f} s = "
        f"{EMAILS / send_seconds:.0f} emails/s (sent {result.sent}, retried {result.retried})"
    )
    print(
        f"  bare smtplib, one connection, same server: {bare_seconds:.2f} s = "
        f"{EMAILS / bare_seconds:.0f} emails/s (the ceiling)"
    )


def _write_messages() -> float:
    user = User(email="owner@developer.ru", role=Role.sales_manager, full_name="Бенчмарк")
    user.set_password("bench")
    db.session.add(user)
    db.session.commit()
    started = time.perf_counter()
    for number in range(EMAILS):
        emit(
            db.session,
            TASK_DUE,
            user_ids=[user.id],
            context={"title": f"Позвонить клиенту № {number}", "client_name": "Иванов И. И."},
        )
    db.session.commit()
    return time.perf_counter() - started


def _bare_smtp(port: int) -> float:
    mailer = Mailer(mail_settings(port))
    messages = [
        mailer.compose(Email(n, "owner@developer.ru", f"Задача {n}", "Позвонить клиенту"))
        for n in range(EMAILS)
    ]
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for message in messages:
            smtp.send_message(message)
    return time.perf_counter() - started


class _CountingInbox(SmtpInbox):
    def __init__(self, counter):
        super().__init__()
        self.counter = counter

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        self.messages.clear()  # parsed (as the tests do), counted, not kept
        with self.counter.get_lock():
            self.counter.value += 1
        return answer


def _serve(port: int, counter, ready, stop) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_CountingInbox(counter), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


@contextmanager
def smtp_process():
    """aiosmtpd in a child process on a loopback port; yields (port, count of received)."""
    context = multiprocessing.get_context("spawn")
    port, counter = free_port(), context.Value("i", 0)
    ready, stop = context.Event(), context.Event()
    process = context.Process(target=_serve, args=(port, counter, ready, stop), daemon=True)
    process.start()
    try:
        if not ready.wait(30):
            raise RuntimeError("the SMTP server process did not start")
        yield port, counter
    finally:
        stop.set()
        process.join(10)


if __name__ == "__main__":
    main()
