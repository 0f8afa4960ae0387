"""Celery jobs: thin, safe to run twice; the state they act on is in the database."""

from __future__ import annotations

from celery import shared_task

from engine.tick import run_until_idle
from web.extensions import db


@shared_task(name="engine.tick")
def engine_tick() -> dict:
    try:
        result = run_until_idle(db.session)
    finally:
        db.session.remove()
    return {
        "timers": result.timers,
        "reminders": result.reminders,
        "escalations": result.escalations,
        "errors": result.errors,
    }
