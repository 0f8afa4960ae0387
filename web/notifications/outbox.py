"""The outbox: every email and SMS with its state; failed ones show the reason and can be resent."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from engine.notifications import outbox as outbox_service
from engine.notifications.catalog import CHANNEL_LABELS, EVENTS
from models.notifications.outbox import MessageChannel, MessageStatus, OutboundMessage
from models.users.user import MANAGEMENT, Role
from web.extensions import db
from web.inputs import page_number
from web.notifications import bp
from web.security import requires

STATUS_LABELS = {
    MessageStatus.pending: "ждёт отправки",
    MessageStatus.sent: "отправлено",
    MessageStatus.failed: "не отправлено",
}


@bp.route("/outbox")
@requires(MANAGEMENT)
def outbox():
    status, channel = _filters()
    query = select(OutboundMessage).order_by(OutboundMessage.id.desc())
    if status:
        query = query.where(OutboundMessage.status == status)
    if channel:
        query = query.where(OutboundMessage.channel == channel)
    page = db.paginate(query, page=page_number(), per_page=50, error_out=False)
    return render_template(
        "notifications/outbox.html",
        page=page,
        status=status,
        channel=channel,
        counts=outbox_service.counts(db.session),
        status_labels=STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
        events=EVENTS,
    )


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
@requires(Role.admin)
def resend(message_id: int):
    message = outbox_service.resend(db.session, message_id)  # DomainError → the 422 page
    flash(f"Сообщение для {message.to_address} снова в очереди на отправку", "success")
    status, channel = _filters(request.form)
    return redirect(url_for("notifications.outbox", status=status, channel=channel))


def _filters(source=None) -> tuple[MessageStatus | None, MessageChannel | None]:
    source = source if source is not None else request.args
    status = source.get("status") or ""
    channel = source.get("channel") or ""
    return (
        MessageStatus(status) if status in MessageStatus.__members__ else None,
        MessageChannel(channel) if channel in MessageChannel.__members__ else None,
    )
