"""Celery jobs: thin, safe to run twice; the state they act on is in the database.

Each job writes: on SQLite its transactions take the write lock when they begin, so a tick that
reads due timers and then fires them never finds its snapshot stale (web/sqlite_locking.py)."""

from __future__ import annotations

from celery import shared_task
from flask import current_app

from engine.core.tick import run_until_idle
from engine.notifications.outbox import send_due
from web import sqlite_locking
from web.config import delivery_settings
from web.extensions import db


@shared_task(name="engine.tick")
def engine_tick() -> dict:
    try:
        with sqlite_locking.writing():
            result = run_until_idle(db.session)
    finally:
        db.session.remove()
    return {
        "timers": result.timers,
        "reminders": result.reminders,
        "escalations": result.escalations,
        "errors": result.errors,
    }


@shared_task(name="outbox.send_due")
def outbox_send_due() -> dict:
    """Send due emails and SMS from the outbox (retries with back-off are the rows' state)."""
    try:
        with sqlite_locking.writing():
            result = send_due(db.session, delivery_settings(current_app.config))
    finally:
        db.session.remove()
    return {"sent": result.sent, "retried": result.retried, "failed": result.failed}
