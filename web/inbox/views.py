"""The inbox list."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import distinct, func, select

from models.base import utcnow
from models.process import HumanTask, ProcessInstance
from web.extensions import db
from web.inbox import bp
from web.inbox.queries import TABS, tab_query, visible_to
from web.security import ALL_ROLES, requires

PER_PAGE = 50


@bp.route("/")
@requires(ALL_ROLES)
def index():
    now = utcnow()
    tab = request.args.get("tab", "mine")
    if tab not in TABS:
        tab = "mine"
    process = request.args.get("process") or None
    page = db.paginate(
        tab_query(current_user, tab, now, process),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    counts = {
        name: db.session.scalar(
            tab_query(current_user, name, now).with_only_columns(func.count()).order_by(None)
        )
        for name in TABS
    }
    processes = db.session.scalars(
        select(distinct(HumanTask.process_name)).where(visible_to(current_user))
    ).all()
    return render_template(
        "inbox/index.html",
        page=page,
        tab=tab,
        tabs=TABS,
        counts=counts,
        process=process,
        processes=sorted(processes),
        now=now,
    )


@bp.route("/requests")
@requires(ALL_ROLES)
def my_requests():
    """Processes I started, with their state and the decisions taken."""
    page = db.paginate(
        select(ProcessInstance)
        .where(ProcessInstance.started_by_id == current_user.id)
        .order_by(ProcessInstance.id.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("inbox/requests.html", page=page)
