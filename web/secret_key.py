"""The key that signs sessions, remember-me cookies and CSRF tokens.

`SECRET_KEY` from the environment wins. Without it, the product makes a random key on its first
start and keeps it in `instance/secret_key` (`SECRET_KEY_FILE`), readable by its owner only, so
sessions survive restarts and every gunicorn worker and the Celery worker sign alike. In the
production mode (`PRODUCTION=1` or `FLASK_ENV=production`) a missing key stops the start.
"""

from __future__ import annotations

import logging
import os
import secrets
import stat
import tempfile
from pathlib import Path

from flask import Flask

log = logging.getLogger(__name__)

# Keys that were ever published with the code: a cookie signed with one is anybody's.
PUBLISHED_KEYS = frozenset({"dev-only-secret-change-me"})


class SecretKeyProblem(RuntimeError):
    """The application refuses to start: its signing key is missing or known."""


def install(app: Flask) -> None:
    key = app.config.get("SECRET_KEY")
    if key in PUBLISHED_KEYS:
        raise SecretKeyProblem(
            "SECRET_KEY совпадает с ключом из исходного кода: им может подписать cookie кто "
            "угодно. Задайте свой случайный ключ или уберите переменную SECRET_KEY."
        )
    if key:
        return
    if app.config.get("PRODUCTION"):
        raise SecretKeyProblem(
            "В рабочем режиме (PRODUCTION=1 или FLASK_ENV=production) нужен SECRET_KEY: задайте "
            "длинный случайный ключ, один на все веб-процессы и Celery, например "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`."
        )
    app.config["SECRET_KEY"] = load_or_create(Path(app.config["SECRET_KEY_FILE"]))


def load_or_create(path: Path) -> str:
    """The key kept in `path`; made and written there (mode 0600) if there is none yet.

    Several processes starting at once end up with the same key: each writes a complete key to
    a file of its own and links it to `path`, which succeeds for exactly one of them (the link
    is atomic and never replaces an existing file); all then read `path`."""
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, draft = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(handle, "w") as file:
            file.write(secrets.token_hex(32) + "\n")
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(draft, path)
        except FileExistsError:  # another process made it first: its key is the key
            pass
        else:
            log.warning("SECRET_KEY is not set: a random key was written to %s", path)
    finally:
        os.unlink(draft)
    return _read(path)


def _read(path: Path) -> str:
    key = path.read_text(encoding="ascii").strip()
    if not key:
        raise SecretKeyProblem(f"Файл ключа {path} пуст: удалите его, и ключ будет создан заново.")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        log.warning("%s is readable by others (mode %o): chmod 600 it", path, mode)
    return key
