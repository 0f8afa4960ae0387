"""The inbox list: process tasks and CRM tasks (planned contacts) in one list, each marked."""

from __future__ import annotations

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import distinct, select

from models.db.base import utcnow
from models.process.instance import ProcessInstance, ProcessModel
from web.extensions import db
from web.inbox import bp
from web.inbox.listing import COUNT_CAP, Page, capped_count, counts_of, load_rows
from web.inbox.queries import KINDS, TABS, row_parts
from web.inputs import page_number
from web.security import ALL_ROLES, requires

PER_PAGE = 50


@bp.route("/")
@requires(ALL_ROLES)
def index():
    now = utcnow()
    counts = counts_of(db.session, current_user, TABS, now)
    tab = request.args.get("tab")
    tab = tab if tab in TABS else _landing_tab(counts)
    process = request.args.get("process") or None
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    parts = row_parts(current_user, tab, now, process, kind)
    page = Page(
        number=page_number(),
        per_page=PER_PAGE,
        total=min(sum(capped_count(db.session, query) for _, query in parts), COUNT_CAP),
    )
    page.items = load_rows(db.session, parts, page)
    processes = db.session.scalars(select(distinct(ProcessModel.name))).all()
    return render_template(
        "inbox/index.html",
        page=page,
        tab=tab,
        tabs=TABS,
        counts=counts,
        count_cap=COUNT_CAP,
        process=process,
        processes=sorted(processes),
        kind=kind,
        kinds=KINDS,
        now=now,
    )


def _landing_tab(counts: dict[str, int]) -> str:
    """Without a tab asked for, the first tab that has work for this person: their own tasks,
    else those waiting to be taken (a head of sales' approvals), else «Мои» (empty, it says
    what would appear there)."""
    for tab in ("mine", "available"):
        if counts.get(tab):
            return tab
    return "mine"


@bp.route("/requests")
@requires(ALL_ROLES)
def my_requests():
    """Processes I started, with their state and the decisions taken."""
    page = db.paginate(
        select(ProcessInstance)
        .where(ProcessInstance.started_by_id == current_user.id)
        .order_by(ProcessInstance.id.desc()),
        page=page_number(),
        per_page=PER_PAGE,
        error_out=False,
    )
    return render_template("inbox/requests.html", page=page)
