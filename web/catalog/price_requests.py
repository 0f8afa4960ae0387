"""Starting the price-change process from a premise card."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.core import start_forms
from engine.core.errors import FormInvalid
from models.catalog.objects import Premise
from models.db import txcache
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessBusinessKey, ProcessInstance
from models.users.user import Role
from web import edge
from web.catalog import bp
from web.extensions import db
from web.security import requires

PROCESS_ID = "price_change"


def active_price_change(premise_id: int) -> ProcessInstance | None:
    return db.session.scalars(
        select(ProcessInstance)
        .join(ProcessBusinessKey)
        .where(
            ProcessInstance.process_id == PROCESS_ID,
            ProcessInstance.status.in_(["waiting", "running", "error"]),
            ProcessBusinessKey.name == "premise_id",
            ProcessBusinessKey.value == str(premise_id),
        )
    ).first()


@bp.route("/premises/<int:premise_id>/price-change", methods=["GET", "POST"])
@requires(Role.sales_manager, Role.admin)
def request_price_change(premise_id: int):
    """The process's first form, shown before anything exists; sent and valid, it starts the
    process with that task done (engine/core/start_forms.py): nothing is left behind by a
    request that was opened and abandoned."""
    # Sent, the premise is locked first: two requests at once are checked one after the other
    # (one open request per premise), and the process measures the cut under the same lock.
    if request.method == "POST":
        premise = txcache.locked(db.session, Premise, premise_id) or abort(404)
    else:
        premise = db.session.get(Premise, premise_id) or abort(404)
    if active_price_change(premise.id) is not None:
        flash("По этому помещению уже идёт согласование цены", "warning")
        return redirect(url_for("catalog.premise", premise_id=premise.id))
    data = {"premise_number": premise.number, "current_price": str(premise.price)}
    keys = {"premise_id": premise.id}
    if request.method == "GET":
        return _request_page(premise, data, keys, {}, {})
    submitted = request.form.to_dict()
    submitted.pop("csrf_token", None)
    with edge.unit_of_work(report=False, only=FormInvalid) as work:
        instance = start_forms.start_with_first_form(
            db.session,
            PROCESS_ID,
            data,
            keys,
            current_user,
            submitted,
            title=f"№ {premise.number}, {premise.building.title}",
        )
        flash(_outcome(instance), "success")
    if work.failed:
        return _request_page(premise, data, keys, submitted, work.errors, 422)
    return redirect(url_for("catalog.premise", premise_id=premise.id))


def _request_page(premise, data, keys, values, errors, status=200):
    first = start_forms.first_form(db.session, PROCESS_ID, data, keys, current_user)
    if first is None:
        abort(404)
    return render_template(
        "catalog/price_change.html", premise=premise, first=first, values=values, errors=errors
    ), status


def _outcome(instance: ProcessInstance) -> str:
    if instance.status == "completed":
        return "Цена изменена"
    waiting = db.session.scalar(
        select(HumanTask.title).where(
            HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
        )
    )
    return f"Запрос отправлен: {waiting}" if waiting else "Запрос отправлен"
