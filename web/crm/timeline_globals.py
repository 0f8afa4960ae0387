"""Jinja globals the client card's include calls: the timeline, task owners, the card's URL."""

from __future__ import annotations

from flask import request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import BuildError

from models.crm.history import (
    DIRECTION_LABELS,
    INTERACTION_LABELS,
    MANUAL_KINDS,
    SALES_ROLES,
    CrmTask,
)
from models.db.base import utcnow
from models.users.user import User
from web.crm import READERS, WRITERS, bp, timeline
from web.crm.forms import local_input, tomorrow_morning
from web.extensions import db
from web.redirects import safe_next

# The client card moves between blueprints while issue "Clients" is built: try each name.
CARD_ENDPOINTS = ("clients.client", "clients.card", "clients.show", "sales.client")


@bp.app_template_global()
def client_timeline(client_id: int, kinds=None, limit: int = 200, before: str | None = None):
    return timeline.build(db.session, client_id, kinds, limit, before, now=utcnow())


@bp.app_template_global()
def crm_form_options() -> dict:
    """What the forms on the card offer: kinds, directions, default times, who may own."""
    now = utcnow()
    owners = []
    if CrmTask.can_hand_out(current_user):
        owners = db.session.scalars(
            select(User)
            .where(User.is_active.is_(True), User.role.in_(SALES_ROLES))
            .order_by(User.full_name, User.email)
        ).all()
    return {
        "can_read": current_user.role in READERS,
        "can_write": current_user.role in WRITERS,
        "kinds": {kind.value: INTERACTION_LABELS[kind] for kind in MANUAL_KINDS},
        "directions": DIRECTION_LABELS,
        "filters": timeline.FILTER_LABELS,
        "now": local_input(now),
        "tomorrow": local_input(tomorrow_morning(now)),
        "owners": owners,
        "next": request.full_path.rstrip("?") if request else "",
    }


@bp.app_template_global()
def crm_card_url(client_id: int) -> str:
    for endpoint in CARD_ENDPOINTS:
        try:
            return url_for(endpoint, client_id=client_id)
        except BuildError:
            continue
    return url_for("crm.timeline", client_id=client_id)


def back_to_card(client_id: int, target: str | None) -> str:
    """The page the form was posted from (a local path), else the client's card."""
    back = safe_next(target, "")
    return (back or crm_card_url(client_id)).split("#")[0] + "#timeline"
