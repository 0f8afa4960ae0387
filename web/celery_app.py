"""The Celery application: `celery -A web.celery_app worker --beat`.

Celery only carries the signal to act; what must not be lost is a database row first.
Embedded mode uses kombu's SQLAlchemy transport over SQLite; production uses Redis.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask

from engine import areas, speed

TICK_EVERY_SECONDS = 10.0
OUTBOX_EVERY_SECONDS = 10.0


def make_celery(flask_app: Flask, broker_url: str | None = None) -> Celery:
    areas.register_all()  # what the tick runs: the areas' actions and jobs (create_app did too)
    speed.install(flask_app.config["SPEED"])  # the worker's engine/speed/ (create_app did too)

    class AppContextTask(Task):
        abstract = True

        def __call__(self, *args, **kwargs):
            with flask_app.app_context():
                return super().__call__(*args, **kwargs)

    app = Celery("sales", task_cls=AppContextTask)
    app.conf.update(
        broker_url=broker_url or flask_app.config["BROKER_URL"],
        task_ignore_result=True,
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={
            "engine-tick": {"task": "engine.tick", "schedule": TICK_EVERY_SECONDS},
            "outbox-send-due": {
                "task": "outbox.send_due",
                "schedule": OUTBOX_EVERY_SECONDS,
                # A missed signal costs nothing (the rows wait), so stale ones are dropped.
                "options": {"expires": OUTBOX_EVERY_SECONDS * 6},
            },
        },
    )
    import web.jobs  # noqa: F401 - registers the shared tasks

    return app


def _default() -> Celery:
    from web import create_app

    return make_celery(create_app())


celery = _default()
app = celery
