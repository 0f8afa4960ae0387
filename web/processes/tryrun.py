"""Trying a draft before publishing: the draft runs in memory (engine/tryrun.py) with sample
data; the page completes its user tasks, fires its timers, sends it messages and shows the path
on the diagram. Nothing is written: the run's state goes back and forth in a signed field."""

from __future__ import annotations

import json

from flask import abort, current_app, render_template, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer

from engine.authoring import tryrun
from engine.bpmn import sha256
from engine.bpmn.validation import check_xml
from engine.core.errors import FormInvalid
from models.process.instance import ProcessDraft
from models.users.user import Role
from web.extensions import db
from web.processes import bp
from web.processes.monitor import _path, _taken_flows
from web.security import requires

MODELERS = (Role.analyst, Role.admin)
SAMPLE_HELP = '{"premise_id": 1, "_results": {"reserve_premise": {"reservation_id": 1}}}'


@bp.route("/drafts/<int:draft_id>/try", methods=["GET", "POST"])
@requires(*MODELERS)
def try_draft(draft_id: int):
    draft = db.session.get(ProcessDraft, draft_id) or abort(404)
    page = {"sample": request.form.get("sample", "{}"), "errors": {}, "values": {}}
    run, status = None, 200
    if request.method == "POST":
        try:
            run = _act(draft, page)
        except FormInvalid as error:
            page["errors"] = error.errors
            run, status = page.get("run"), 422
        except tryrun.TryRunRefused as error:
            page["message"], page["problems"] = error.message, error.problems
            run, status = page.get("run"), 422
    return _render(draft, run, page), status


def _act(draft: ProcessDraft, page: dict) -> tryrun.TryRun:
    action = request.form.get("action")
    if action == "start":
        sample = tryrun.parse_json_object(page["sample"], "Данные для запуска")
        return tryrun.start(draft.bpmn_xml, sample)
    run = page["run"] = _restored(draft, page)
    if action == "complete":
        page["task"] = request.form.get("task", "")
        page["values"] = _submitted()
        run.complete(page["task"], page["values"], user_id=current_user.id)
    elif action == "timers":
        run.fire_timers(request.form.get("timer") or None)
    elif action == "message":
        payload = tryrun.parse_json_object(request.form.get("payload", ""), "Данные сообщения")
        run.send_message(request.form.get("message", ""), payload)
    else:
        raise tryrun.TryRunRefused("Неизвестное действие: обновите страницу")
    return run


def _submitted() -> dict:
    """The form as the inbox reads it; an uploaded file is named, never stored."""
    values = {k: v for k, v in request.form.items() if k not in ("csrf_token", "state", "task")}
    for name, upload in request.files.items():
        if upload and upload.filename:
            values[name] = {"name": upload.filename[:200], "file": ""}
    return values


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="tryrun")


def _restored(draft: ProcessDraft, page: dict) -> tryrun.TryRun:
    try:
        state = _serializer().loads(request.form.get("state", ""))
    except BadSignature:
        raise tryrun.TryRunRefused(
            "Состояние пробного запуска повреждено или подделано: начните заново"
        ) from None
    if not isinstance(state, dict) or state.get("draft") != draft.id:
        raise tryrun.TryRunRefused("Это состояние другого черновика: начните заново")
    if state.get("sha") != sha256(draft.bpmn_xml):
        raise tryrun.TryRunRefused(
            "Черновик изменился после начала пробного запуска: начните заново"
        )
    page["sample"] = state.get("sample", "{}")
    return tryrun.restore(state.get("run") or {})


def _render(draft: ProcessDraft, run: tryrun.TryRun | None, page: dict):
    context = {"draft": draft, "sample_help": SAMPLE_HELP}
    context.update((key, value) for key, value in page.items() if key != "run")
    context.setdefault("problems", [])
    if run is None:
        context["problems"] = context["problems"] or check_xml(draft.bpmn_xml)
        return render_template("processes/tryrun.html", run=None, **context)
    completed, current, _ = _path(run.workflow)
    return render_template(
        "processes/tryrun.html",
        run=run,
        state=_signed_state(draft, run, page["sample"]),
        completed=sorted(completed),
        current=sorted(current),
        taken=_taken_flows(run.workflow),
        data_text=json.dumps(run.data(), ensure_ascii=False, indent=2, sort_keys=True),
        **context,
    )


def _signed_state(draft: ProcessDraft, run: tryrun.TryRun, sample: str) -> str:
    state = {"draft": draft.id, "sha": sha256(draft.bpmn_xml), "sample": sample}
    try:
        state["run"] = tryrun.dump(run)
    except Exception as error:  # noqa: BLE001 - the page still shows where the run stopped
        current_app.logger.exception("try-run of draft %s: state not serializable", draft.id)
        run.error = f"Состояние не удалось сохранить ({error}): начните заново"
        return ""
    return _serializer().dumps(state)
