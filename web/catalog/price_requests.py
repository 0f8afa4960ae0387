"""Starting the price-change process from a premise card."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user
from sqlalchemy import select

from engine.core import runtime
from models.catalog.objects import Premise
from models.process.human_task import HumanTask, HumanTaskStatus
from models.process.instance import ProcessBusinessKey, ProcessInstance
from models.users.user import Role
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


@bp.route("/premises/<int:premise_id>/price-change", methods=["POST"])
@requires(Role.sales_manager, Role.admin)
def request_price_change(premise_id: int):
    premise = db.session.get(Premise, premise_id) or abort(404)
    if active_price_change(premise.id) is not None:
        flash("По этому помещению уже идёт согласование цены", "warning")
        return redirect(url_for("catalog.premise", premise_id=premise.id))
    instance = runtime.start(
        db.session,
        PROCESS_ID,
        data={"premise_number": premise.number, "current_price": str(premise.price)},
        business_keys={"premise_id": premise.id},
        user=current_user,
        title=f"№ {premise.number}, {premise.building.title}",
    )
    task_id = db.session.scalar(
        select(HumanTask.id).where(
            HumanTask.instance_id == instance.id, HumanTask.status == HumanTaskStatus.open
        )
    )
    if task_id is None:
        return redirect(url_for("catalog.premise", premise_id=premise.id))
    return redirect(url_for("inbox.task", task_id=task_id))
