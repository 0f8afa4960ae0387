"""The inbox list: process tasks and CRM tasks (planned contacts) in one list, each marked."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import distinct, func, select

from models.base import utcnow
from models.process import HumanTask, ProcessInstance
from web.extensions import db
from web.inbox import bp
from web.inbox.listing import Page, counts_of, load_rows
from web.inbox.queries import KINDS, TABS, rows_query, visible_to
from web.security import ALL_ROLES, requires

PER_PAGE = 50


@bp.route("/")
@requires(ALL_ROLES)
def index():
    now = utcnow()
    tab = request.args.get("tab", "mine")
    tab = tab if tab in TABS else "mine"
    process = request.args.get("process") or None
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    rows = rows_query(current_user, tab, now, process, kind)
    page = Page(
        number=max(request.args.get("page", 1, type=int), 1),
        per_page=PER_PAGE,
        total=db.session.scalar(select(func.count()).select_from(rows)),
    )
    page.items = load_rows(db.session, rows, page)
    processes = db.session.scalars(
        select(distinct(HumanTask.process_name)).where(visible_to(current_user))
    ).all()
    return render_template(
        "inbox/index.html",
        page=page,
        tab=tab,
        tabs=TABS,
        counts=counts_of(db.session, current_user, TABS, now),
        process=process,
        processes=sorted(processes),
        kind=kind,
        kinds=KINDS,
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
