"""Files attached to task forms: stored under instance/uploads/tasks with a random name."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import abort, current_app, send_from_directory
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from engine.core.forms import FormField
from web.inbox import bp
from web.security import ALL_ROLES, requires

ALLOWED_SUFFIXES = frozenset({".pdf", ".png", ".jpg", ".jpeg", ".docx", ".xlsx", ".odt", ".txt"})


def folder() -> Path:
    path = Path(current_app.config["UPLOAD_FOLDER"]) / "tasks"
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(fields: list[FormField], files) -> tuple[dict, dict[str, str], list[Path]]:
    """Save the uploads of file fields; returns form values, errors, and the stored paths."""
    values: dict = {}
    errors: dict[str, str] = {}
    stored: list[Path] = []
    for field in fields:
        if field.type != "file":
            continue
        upload: FileStorage | None = files.get(field.name)
        if upload is None or not upload.filename:
            continue
        suffix = Path(upload.filename).suffix.lower()
        if suffix not in ALLOWED_SUFFIXES:
            errors[field.name] = "Допустимы PDF, PNG, JPG, DOCX, XLSX, ODT и TXT"
            continue
        name = f"{uuid.uuid4().hex}{suffix}"
        upload.save(folder() / name)
        stored.append(folder() / name)
        values[field.name] = {"name": secure_filename(upload.filename) or name, "file": name}
    return values, errors, stored


def discard(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


@bp.route("/files/<string:name>")
@requires(ALL_ROLES)
def attachment(name: str):
    """Stored names are random and unguessable; they are only shown to those who see the task."""
    if "/" in name or name.startswith(".") or Path(name).suffix.lower() not in ALLOWED_SUFFIXES:
        abort(404)
    return send_from_directory(folder(), name, as_attachment=True)
