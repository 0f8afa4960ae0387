"""Logging a contact and planning a task from the client card; the client's full timeline."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request
from flask_login import current_user

from engine.crm import use_cases as crm
from models.clients.client import Client
from models.db.errors import DomainError, NotFound
from web import edge
from web.crm import READERS, WRITERS, bp
from web.crm.forms import form_values, parse_moment
from web.crm.timeline_globals import back_to_card
from web.extensions import db
from web.formatting import ru_datetime
from web.inputs import db_int
from web.security import requires


@bp.route("/clients/<int:client_id>/timeline")
@requires(READERS)
def timeline(client_id: int):
    """The whole history page; "показать ещё" on the card continues here."""
    found = db.session.get(Client, client_id) or abort(404)
    return render_template("crm/timeline.html", client=found)


@bp.route("/clients/<int:client_id>/interactions", methods=["POST"])
@requires(WRITERS)
def log_interaction(client_id: int):
    form = request.form
    with edge.unit_of_work(report=False) as work:
        crm.log_interaction(
            db.session,
            client_id,
            current_user,
            kind=form.get("kind"),
            direction=form.get("direction"),
            summary=form.get("summary"),
            body=form.get("body"),
            at=parse_moment(form.get("at"), "at"),
        )
        flash("Событие записано в историю клиента", "success")
        return redirect(back_to_card(client_id, form.get("next")))
    return _refused(client_id, "log", work.error)


@bp.route("/clients/<int:client_id>/tasks", methods=["POST"])
@requires(WRITERS)
def plan_task(client_id: int):
    form = request.form
    with edge.unit_of_work(report=False) as work:
        task = crm.plan_task(
            db.session,
            client_id,
            current_user,
            title=form.get("title"),
            kind=form.get("kind"),
            due_at=parse_moment(form.get("due_at"), "due_at"),
            owner_id=form.get("owner_id", type=db_int),
            allow_past=bool(form.get("allow_past")),
        )
        flash(f"Задача «{task.title}» поставлена на {ru_datetime(task.due_at)}", "success")
        return redirect(back_to_card(client_id, form.get("next")))
    return _refused(client_id, "plan", work.error)


def _refused(client_id: int, form_name: str, error: DomainError):
    """Nothing written (the edge rolled it back); the form comes back filled in, with the
    message at its field."""
    if isinstance(error, NotFound):
        return render_template(
            "errors.html", code=404, title="Клиент не найден", message=error.message
        ), 404
    return render_template(
        "crm/timeline.html",
        client=db.session.get(Client, client_id),
        crm_form=form_name,
        crm_values=form_values(request.form),
        crm_errors={error.field or "form": error.message},
    ), 422
