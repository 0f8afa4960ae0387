"""Price-list transfer: export with the chessboard's filters, import with a dry run first.

The uploaded file waits under instance/imports/<token>.<ext> between the dry run and
"Применить"; applying checks it again, because the data may have changed meanwhile.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path, PurePath
from urllib.parse import quote
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired

from engine.catalog.price_list import COLUMNS, premise_rows
from engine.catalog.price_list_files import EXTENSIONS, write_csv, write_xlsx
from engine.catalog.price_list_import import IMPORT_MAX_ROWS, ImportPlan, check
from engine.catalog.price_list_xlsx import MB, unpacked_limit
from models.catalog.objects import Building, Project
from models.db.clock import utcnow
from models.settings.store import get_setting
from models.users.user import MANAGEMENT
from web import edge
from web.catalog import bp
from web.catalog.filters import PremiseFilter
from web.extensions import db
from web.formatting import DEFAULT_TZ
from web.forms import Form
from web.inputs import db_int
from web.security import ALL_ROLES, requires

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
TOKEN = re.compile(r"[0-9a-f]{32}")
KEEP_SECONDS = 24 * 3600  # an upload not applied within a day is forgotten
LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch _ y _ e yu ya"
RU_LATIN = {
    ru: latin.strip("_")
    for ru, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", LATIN.split(), strict=True)
}


class ImportForm(Form):
    file = FileField(
        "Файл прайс-листа (XLSX или CSV)",
        validators=[FileRequired("Выберите файл")],
        render_kw={"accept": ".xlsx,.csv"},
    )


@bp.route("/projects/<int:project_id>/export")
@requires(ALL_ROLES)
def export_project(project_id: int):
    project = db.session.get(Project, project_id) or abort(404)
    building_id = request.args.get("building_id", type=db_int)
    if building_id is None:
        return _export(project, None, Building.project_id == project.id)
    building = db.session.get(Building, building_id)
    if building is None or building.project_id != project.id:
        abort(404)
    return _export(project, building, Building.id == building.id)


@bp.route("/buildings/<int:building_id>/export")
@requires(ALL_ROLES)
def export_building(building_id: int):
    building = db.session.get(Building, building_id) or abort(404)
    return _export(building.project, building, Building.id == building.id)


def _export(project: Project, building: Building | None, scope) -> Response:
    kind = request.args.get("format") or "xlsx"
    premise_filter = PremiseFilter.from_args(request.args)
    if kind not in MIME or premise_filter.errors:
        return _bad_request(kind, premise_filter)
    rows = premise_rows(db.session, scope, *premise_filter.where())
    title = project.name if building is None else f"{project.name}, {building.name}"
    data = write_xlsx(rows, title) if kind == "xlsx" else write_csv(rows)
    response = Response(data, mimetype=MIME[kind])
    response.headers["Content-Disposition"] = _attachment(title, kind)
    return response


def _bad_request(kind: str, premise_filter: PremiseFilter):
    message = "Формат выгрузки: xlsx или csv." if kind not in MIME else "Фильтр задан неверно."
    details = "; ".join(premise_filter.errors.values())
    return render_template(
        "errors.html", code=400, title="Неверный запрос", message=f"{message} {details}".strip()
    ), 400


def _attachment(title: str, kind: str) -> str:
    today = utcnow().astimezone(ZoneInfo(DEFAULT_TZ)).date().isoformat()
    russian = f"Прайс-{title}-{today}.{kind}".replace("/", "-").replace('"', "")
    latin = "".join(RU_LATIN.get(ch, ch) for ch in f"прайс-{title}".lower())
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    return f"attachment; filename=\"{slug}-{today}.{kind}\"; filename*=UTF-8''{quote(russian)}"


@bp.route("/projects/<int:project_id>/import", methods=["GET", "POST"])
@requires(MANAGEMENT)
def import_project(project_id: int):
    project = db.session.get(Project, project_id) or abort(404)
    form = ImportForm()
    plan = token = None
    if form.validate_on_submit():
        upload = form.file.data
        plan, token = _dry_run(project, upload.read(), upload.filename or "")
    return _import_page(project, form, plan, token, upload_name=_upload_name(form))


@bp.route("/projects/<int:project_id>/import/<token>/apply", methods=["POST"])
@requires(MANAGEMENT)
def import_apply(project_id: int, token: str):
    project = db.session.get(Project, project_id) or abort(404)
    path = _stored(token)
    if path is None:
        flash("Проверенный файл не найден или устарел: загрузите его ещё раз.", "warning")
        return redirect(url_for("catalog.import_project", project_id=project.id))
    plan = check(db.session, project, path.read_bytes(), path.name, lock=True)
    if not plan.ok:
        path.unlink(missing_ok=True)
        flash(
            "Данные изменились после проверки: файл снова проверен, ничего не записано.", "danger"
        )
        return _import_page(project, ImportForm(), plan, None)
    with edge.unit_of_work() as work:
        plan.apply(db.session, by_user_id=current_user.id)
        edge.flush_or_refuse(
            "Помещения изменили одновременно с импортом: ничего не записано, повторите."
        )
    if work.failed:
        return redirect(url_for("catalog.import_project", project_id=project.id))
    path.unlink(missing_ok=True)
    flash(
        f"Импорт выполнен: создано {plan.created}, обновлено {plan.updated}, "
        f"без изменений {plan.unchanged}.",
        "success",
    )
    return redirect(url_for("catalog.project", project_id=project.id))


def _dry_run(project: Project, data: bytes, filename: str) -> tuple[ImportPlan, str | None]:
    """Check the upload; keep it for "Применить" only when it is clean."""
    suffix = PurePath(filename).suffix.lower()
    token = None
    if suffix in EXTENSIONS:
        folder = _imports_folder()
        _forget_old_uploads(folder)
        token = uuid.uuid4().hex
        (folder / f"{token}{suffix}").write_bytes(data)
    plan = check(db.session, project, data, filename)  # writes nothing
    if token and not plan.ok:
        (_imports_folder() / f"{token}{suffix}").unlink(missing_ok=True)
        token = None
    return plan, token


def _import_page(project, form, plan, token, upload_name: str = ""):
    max_rows = get_setting(db.session, IMPORT_MAX_ROWS)
    return render_template(
        "catalog/import.html",
        project=project,
        form=form,
        plan=plan,
        token=token,
        upload_name=upload_name,
        columns=[column for column in COLUMNS if not column.export_only],
        limit_text=f"{max_rows:,}".replace(",", " "),
        unpacked_mb=unpacked_limit(max_rows) // MB,
    )


def _upload_name(form: ImportForm) -> str:
    upload = form.file.data
    return getattr(upload, "filename", "") or ""


def _imports_folder() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]).parent / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _stored(token: str) -> Path | None:
    if not TOKEN.fullmatch(token):
        return None
    for suffix in EXTENSIONS:
        path = _imports_folder() / f"{token}{suffix}"
        if path.is_file():
            if time.time() - path.stat().st_mtime > KEEP_SECONDS:
                path.unlink(missing_ok=True)
                return None
            return path
    return None


def _forget_old_uploads(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
