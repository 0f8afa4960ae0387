"""The process catalogue: every process with its versions and drafts, downloads, the difference
between versions, restoring an old version, importing a `.bpmn` file. Everyone may read;
analysts and administrators edit."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from engine.authoring import modeler
from engine.bpmn import repository
from engine.bpmn.diff import diff_xml
from engine.core.errors import ProcessNotFound
from models.process.instance import ProcessDraft, ProcessInstance, ProcessModel, ProcessStatus
from models.users.audit import AuditEvent
from models.users.user import Role
from web import edge, headers
from web.extensions import db
from web.processes import bp
from web.security import ALL_ROLES, can, requires

MODELERS = (Role.analyst, Role.admin)
ACTIVE = (ProcessStatus.running, ProcessStatus.waiting)


@bp.route("")
@requires(ALL_ROLES)
def catalogue():
    _publish_shipped()
    latest = _latest_versions()
    drafts = db.session.scalars(select(ProcessDraft).order_by(ProcessDraft.updated_at.desc())).all()
    process_ids = sorted(set(latest) | {d.process_id for d in drafts})
    return render_template(
        "processes/catalog.html",
        process_ids=process_ids,
        latest=latest,
        drafts_by_process=_group(drafts),
        active=_active_counts(),
        can_edit=can(*MODELERS),
    )


@bp.route("/<process_id>")
@requires(ALL_ROLES)
def process(process_id: str):
    _publish_shipped(process_id)
    versions = db.session.scalars(
        select(ProcessModel)
        .where(ProcessModel.process_id == process_id)
        .order_by(ProcessModel.version.desc())
    ).all()
    drafts = modeler.drafts_of(db.session, process_id)
    if not versions and not drafts:
        abort(404)
    history = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "process", AuditEvent.object_id == process_id)
        .order_by(AuditEvent.id.desc())
        .limit(100)
    ).all()
    return render_template(
        "processes/process.html",
        process_id=process_id,
        name=versions[0].name if versions else drafts[0].name,
        versions=versions,
        drafts=drafts,
        history=history,
        active=_active_counts(process_id),
        total=_instance_counts(process_id),
        can_edit=can(*MODELERS),
    )


@bp.route("/<process_id>/versions/<int:version>.bpmn")
@requires(ALL_ROLES)
def download_version(process_id: str, version: int):
    model = _version(process_id, version)
    return bpmn_file(model.bpmn_xml, f"{process_id}_v{version}.bpmn")


@bp.route("/<process_id>/diff")
@requires(ALL_ROLES)
def diff(process_id: str):
    _publish_shipped(process_id)
    versions = db.session.scalars(
        select(ProcessModel.version)
        .where(ProcessModel.process_id == process_id)
        .order_by(ProcessModel.version)
    ).all()
    if not versions:
        abort(404)
    default_to = str(versions[-1])
    default_from = str(versions[-2]) if len(versions) > 1 else default_to
    from_ref = request.args.get("from") or default_from
    to_ref = request.args.get("to") or default_to
    (old_label, old_xml), (new_label, new_xml) = (
        _side(process_id, from_ref),
        _side(process_id, to_ref),
    )
    return render_template(
        "processes/diff.html",
        process_id=process_id,
        name=_name_of(process_id),
        versions=versions,
        drafts=modeler.drafts_of(db.session, process_id) if can(*MODELERS) else [],
        from_ref=from_ref,
        to_ref=to_ref,
        old_label=old_label,
        new_label=new_label,
        result=diff_xml(old_xml, new_xml),
    )


@bp.route("/<process_id>/drafts", methods=["POST"])
@requires(*MODELERS)
def create_draft(process_id: str):
    try:
        draft = modeler.new_draft(db.session, process_id, current_user)
    except ProcessNotFound:
        abort(404)
    return redirect(url_for("processes.edit_draft", draft_id=draft.id))


@bp.route("/<process_id>/versions/<int:version>/restore", methods=["POST"])
@requires(*MODELERS)
def restore_version(process_id: str, version: int):
    draft = modeler.restore(db.session, _version(process_id, version), current_user)
    flash(f"Версия {version} восстановлена как черновик", "success")
    return redirect(url_for("processes.edit_draft", draft_id=draft.id))


@bp.route("/import", methods=["GET", "POST"])
@requires(*MODELERS)
def import_bpmn():
    problems, message = [], None
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            message = "Выберите файл .bpmn"
        else:
            with edge.unit_of_work(report=False) as work:
                draft = modeler.import_file(
                    db.session, upload.read(), upload.filename, current_user
                )
                flash(f"Файл загружен как черновик процесса «{draft.name}»", "success")
                return redirect(url_for("processes.edit_draft", draft_id=draft.id))
            message, problems = work.error.message, getattr(work.error, "problems", [])
    status = 422 if message else 200
    return render_template("processes/import.html", message=message, problems=problems), status


def _publish_shipped(process_id: str | None = None) -> None:
    """Shipped processes become version 1 on first sight, as the engine does on first use."""
    stems = [path.stem for path in repository.shipped_files()]
    wanted = [stem for stem in stems if process_id in (None, stem)]
    known = set(db.session.scalars(select(ProcessModel.process_id).distinct()))
    missing = [stem for stem in wanted if stem not in known]
    for stem in missing:
        repository.latest(db.session, stem)


def _latest_versions() -> dict[str, ProcessModel]:
    newest = (
        select(ProcessModel.process_id, func.max(ProcessModel.version).label("version"))
        .group_by(ProcessModel.process_id)
        .subquery()
    )
    models = db.session.scalars(
        select(ProcessModel).join(
            newest,
            (ProcessModel.process_id == newest.c.process_id)
            & (ProcessModel.version == newest.c.version),
        )
    ).all()
    return {model.process_id: model for model in models}


def _active_counts(process_id: str | None = None) -> dict[str, dict[int, int]]:
    """{process id: {version: running or waiting instances}}."""
    query = (
        select(ProcessModel.process_id, ProcessModel.version, func.count(ProcessInstance.id))
        .join(ProcessInstance, ProcessInstance.model_id == ProcessModel.id)
        .where(ProcessInstance.status.in_(ACTIVE))
        .group_by(ProcessModel.process_id, ProcessModel.version)
    )
    if process_id is not None:
        query = query.where(ProcessModel.process_id == process_id)
    counts: dict[str, dict[int, int]] = {}
    for pid, version, count in db.session.execute(query):
        counts.setdefault(pid, {})[version] = count
    return counts


def _instance_counts(process_id: str) -> dict[int, int]:
    """{version: every instance ever started on it}."""
    rows = db.session.execute(
        select(ProcessModel.version, func.count(ProcessInstance.id))
        .join(ProcessInstance, ProcessInstance.model_id == ProcessModel.id)
        .where(ProcessModel.process_id == process_id)
        .group_by(ProcessModel.version)
    )
    return dict(rows.all())


def _group(drafts) -> dict[str, list[ProcessDraft]]:
    grouped: dict[str, list[ProcessDraft]] = {}
    for draft in drafts:
        grouped.setdefault(draft.process_id, []).append(draft)
    return grouped


def _version(process_id: str, version: int) -> ProcessModel:
    _publish_shipped(process_id)
    model = db.session.scalars(
        select(ProcessModel).where(
            ProcessModel.process_id == process_id, ProcessModel.version == version
        )
    ).first()
    return model or abort(404)


def _name_of(process_id: str) -> str:
    latest = _latest_versions().get(process_id)
    return latest.name if latest is not None else process_id


def _side(process_id: str, ref: str) -> tuple[str, str]:
    """A side of the comparison: `3` is version 3, `draft:12` is draft 12 (editors only)."""
    if ref.startswith("draft:"):
        draft_id = ref.removeprefix("draft:")
        if not draft_id.isdigit() or not can(*MODELERS):
            abort(404)
        draft = db.session.get(ProcessDraft, int(draft_id))
        if draft is None or draft.process_id != process_id:
            abort(404)
        return f"черновик № {draft.id}", draft.bpmn_xml
    if not ref.isdigit():
        abort(404)
    model = _version(process_id, int(ref))
    return f"версия {model.version}", model.bpmn_xml


def bpmn_file(xml: str, filename: str) -> Response:
    """A diagram's XML as a file to save, never a page the browser shows: an analyst's XML is
    not trusted to be free of markup a browser would run (web/headers.py)."""
    return headers.download(xml, filename, "application/xml")
