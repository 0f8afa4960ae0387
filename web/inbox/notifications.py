"""In-app notifications: the counter in the header, the list, mark as read."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select, update

from models.db.base import utcnow
from models.notifications.in_app import Notification
from web.extensions import db
from web.inbox import bp
from web.inputs import db_int, page_number
from web.redirects import safe_next
from web.security import ALL_ROLES, requires


@bp.app_context_processor
def unread_notifications():
    if not current_user.is_authenticated:
        return {"unread_count": 0}
    count = db.session.scalar(
        select(func.count()).where(
            Notification.user_id == current_user.id, Notification.read_at.is_(None)
        )
    )
    return {"unread_count": count}


@bp.route("/notifications")
@requires(ALL_ROLES)
def notifications():
    page = db.paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.id.desc()),
        page=page_number(),
        per_page=50,
        error_out=False,
    )
    html = render_template("inbox/notifications.html", page=page)
    _mark_read(note_id=None)  # shown once as new, then read
    return html


@bp.route("/notifications/read", methods=["POST"])
@requires(ALL_ROLES)
def mark_read():
    _mark_read(request.form.get("id", type=db_int))
    return redirect(safe_next(request.form.get("next"), url_for("inbox.notifications")))


def _mark_read(note_id: int | None) -> None:
    query = update(Notification).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None)
    )
    if note_id:
        query = query.where(Notification.id == note_id)
    db.session.execute(query.values(read_at=utcnow()))
