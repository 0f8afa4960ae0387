"""The Celery application: `celery -A web.celery_app worker --beat`.

Celery only carries the signal to act; what must not be lost is a database row first.
"""

from __future__ import annotations

from celery import Celery, Task

from web import create_app

flask_app = create_app()


class AppContextTask(Task):
    abstract = True

    def __call__(self, *args, **kwargs):
        with flask_app.app_context():
            return super().__call__(*args, **kwargs)


celery = Celery("sales", task_cls=AppContextTask)
celery.conf.update(
    broker_url=flask_app.config["BROKER_URL"],
    task_ignore_result=True,
    task_acks_late=True,
    worker_prefetch_multiplier=1,
    broker_connection_retry_on_startup=True,
    timezone="UTC",
    beat_schedule={
        "engine-tick": {"task": "engine.tick", "schedule": 10.0},
    },
    include=["web.jobs"],
)
app = celery
