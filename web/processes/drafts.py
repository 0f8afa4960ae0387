"""The editor's server side: a draft's page and XML, saving and publishing as JSON, discarding a
draft, and the palette of what our engine understands (roles, actions, field types, task
properties). Analysts and administrators only."""

from __future__ import annotations

from dataclasses import asdict

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.authoring import modeler
from engine.bpmn import BpmnRejected, Problem
from engine.core import actions
from engine.core.forms import FIELD_TYPES
from models.db.errors import DomainError
from models.process.instance import ProcessDraft
from models.users.user import ROLE_LABELS, Role
from web import edge
from web.extensions import db
from web.processes import bp
from web.processes.catalog import MODELERS, bpmn_file
from web.security import requires

FIELD_TYPE_LABELS = {
    "text": "Текст",
    "number": "Целое число",
    "money": "Сумма, ₽",
    "date": "Дата",
    "choice": "Выбор из списка",
    "boolean": "Да / нет",
    "file": "Файл",
}
# The spiffworkflow:property names engine/human_tasks.py and engine/validation.py read.
TASK_PROPERTIES = [
    ("title", "Заголовок задачи", "Текст во входящих; {имя} подставляет значение из данных"),
    ("deadline", "Срок", "Длительность ISO 8601 (PT4H, P1D) или выражение"),
    ("remind_before", "Напомнить за", "Длительность ISO 8601; по умолчанию четверть срока"),
    ("escalate_to", "Эскалация на роль", "Роль, которой передаётся просроченная задача"),
    ("assignee", "Исполнитель", "Выражение, дающее id сотрудника"),
    ("approval", "Согласование", "true — стандартная форма согласования"),
    ("template", "Шаблон страницы", "Своя страница задачи в templates/tasks/"),
]


@bp.route("/drafts/<int:draft_id>/edit")
@requires(*MODELERS)
def edit_draft(draft_id: int):
    draft = _draft(draft_id)
    urls = {
        "xml": url_for("processes.draft_xml", draft_id=draft.id),
        "save": url_for("processes.save_draft", draft_id=draft.id),
        "publish": url_for("processes.publish_draft", draft_id=draft.id),
        "palette": url_for("processes.palette"),
        "catalogue": url_for("processes.catalogue"),
        "process": url_for("processes.process", process_id=draft.process_id),
        "try_run": url_for("processes.try_draft", draft_id=draft.id),
    }
    return render_template("processes/editor.html", draft=draft, urls=urls)


@bp.route("/drafts/<int:draft_id>.bpmn")
@requires(*MODELERS)
def draft_xml(draft_id: int):
    draft = _draft(draft_id)
    return bpmn_file(draft.bpmn_xml, f"{draft.process_id}_draft{draft.id}.bpmn")


@bp.route("/drafts/<int:draft_id>", methods=["POST"])
@requires(*MODELERS)
def save_draft(draft_id: int):
    draft = _draft(draft_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("xml"), str):
        return _refused("Ожидается JSON с полем xml — текстом схемы BPMN")
    with edge.unit_of_work(report=False) as work:
        problems = modeler.save_draft(db.session, draft, payload["xml"], current_user)
        saved_at = draft.updated_at.isoformat()
        return jsonify(ok=True, problems=_problems(problems), saved_at=saved_at)
    return _refused_by(work.error)


@bp.route("/drafts/<int:draft_id>/publish", methods=["POST"])
@requires(*MODELERS)
def publish_draft(draft_id: int):
    draft = _draft(draft_id)
    payload = request.get_json(silent=True)
    payload = {} if payload is None else payload
    if not isinstance(payload, dict):
        return _refused("Ожидается JSON с полями xml и note")
    xml, note = payload.get("xml"), payload.get("note") or ""
    if not isinstance(note, str) or (xml is not None and not isinstance(xml, str)):
        return _refused("Ожидается JSON с полями xml и note")
    if xml is not None:
        with edge.unit_of_work(report=False) as saved:
            modeler.save_draft(db.session, draft, xml, current_user)
        if saved.failed:
            return _refused_by(saved.error)
    # the analyst's work just saved is kept even if publishing is refused
    with edge.unit_of_work(report=False, keep_earlier=True) as published:
        model = modeler.publish_draft(db.session, draft, current_user, note)
        redirect_to = url_for("processes.process", process_id=model.process_id)
        return jsonify(ok=True, version=model.version, redirect=redirect_to)
    return _refused_by(published.error)


@bp.route("/drafts/<int:draft_id>/delete", methods=["POST"])
@requires(*MODELERS)
def delete_draft(draft_id: int):
    draft = _draft(draft_id)
    process_id = draft.process_id
    modeler.delete_draft(db.session, draft, current_user)
    flash(f"Черновик № {draft_id} удалён", "success")
    return redirect(url_for("processes.process", process_id=process_id))


@bp.route("/api/palette")
@requires(*MODELERS)
def palette():
    registry = actions.registered()
    return jsonify(
        roles=[{"value": role.value, "label": ROLE_LABELS[role]} for role in Role],
        actions=[
            {
                "name": action.name,
                "description": action.description,
                "params": [
                    {
                        "name": p.name,
                        "type": p.type,
                        "description": p.description,
                        "required": p.required,
                    }
                    for p in action.params
                ],
            }
            for action in sorted(registry.values(), key=lambda a: a.name)
        ],
        field_types=[{"value": t, "label": FIELD_TYPE_LABELS.get(t, t)} for t in FIELD_TYPES],
        task_properties=[
            {"name": name, "label": label, "description": description}
            for name, label, description in TASK_PROPERTIES
        ],
    )


def _draft(draft_id: int) -> ProcessDraft:
    return db.session.get(ProcessDraft, draft_id) or abort(404)


def _problems(problems: list[Problem]) -> list[dict[str, str]]:
    return [asdict(problem) for problem in problems]


def _refused(message: str, problems: list[Problem] | None = None):
    return jsonify(ok=False, message=message, problems=_problems(problems or [])), 422


def _refused_by(error: DomainError):
    """A refusal as the editor shows it: the message, and the BPMN problems with their ids."""
    return _refused(error.message, error.problems if isinstance(error, BpmnRejected) else None)
