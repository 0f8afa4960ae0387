"""`flask --app web outbox send`: one send pass, the same the beat job runs."""

from __future__ import annotations

import click
from flask import current_app

from engine.notifications.outbox import counts, send_due
from web.config import delivery_settings
from web.extensions import db
from web.notifications import bp


@bp.cli.command("send")
def send() -> None:
    """Отправить письма и SMS, срок отправки которых наступил."""
    result = send_due(db.session, delivery_settings(current_app.config))
    waiting = counts(db.session)
    click.echo(
        f"отправлено: {result.sent}, отложено до следующей попытки: {result.retried}, "
        f"не отправлено окончательно: {result.failed}; "
        f"в очереди: {waiting['pending']}, с ошибкой: {waiting['failed']}"
    )
