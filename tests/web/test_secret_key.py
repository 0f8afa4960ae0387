"""The key that signs sessions (issue 14, § 2): without SECRET_KEY the product makes a random one
under instance/ (mode 0600) and keeps it; processes starting at once share it; the production
mode refuses to start without one; a cookie signed with the key once published in the code
opens nothing."""

from __future__ import annotations

import multiprocessing
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask.sessions import SecureCookieSessionInterface

from models.users.user import Role
from web import create_app
from web.config import ROOT
from web.extensions import db
from web.secret_key import SecretKeyProblem, load_or_create

OLD_CONSTANT = "dev-only-secret-change-me"


def forged_session_cookie(app, key: str, user) -> str:
    """A session cookie for `user`, as someone who knows `key` would sign it."""
    signer = SecureCookieSessionInterface().get_signing_serializer(
        type("Forger", (), {"secret_key": key, "config": app.config})()
    )
    return signer.dumps({"_user_id": str(user.id), "_fresh": True})


@pytest.fixture
def app_without_key(app, tmp_path):
    """The product as `make run` starts it on a fresh clone: no SECRET_KEY anywhere."""
    config = {**app.config, "SECRET_KEY": None, "SECRET_KEY_FILE": str(tmp_path / "secret_key")}
    return create_app(config)


def test_without_secret_key_a_random_key_is_kept_readable_by_its_owner_only(
    app_without_key, tmp_path
):
    key_file = tmp_path / "secret_key"

    assert key_file.read_text().strip() == app_without_key.config["SECRET_KEY"]
    assert len(app_without_key.config["SECRET_KEY"]) >= 64
    assert app_without_key.config["SECRET_KEY"] != OLD_CONSTANT
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = create_app({**app_without_key.config, "SECRET_KEY": None})
    assert again.config["SECRET_KEY"] == app_without_key.config["SECRET_KEY"]


def test_a_cookie_signed_with_the_published_constant_gets_the_login_page(
    app_without_key, make_user
):
    admin = make_user(Role.admin)
    db.session.commit()
    browser = app_without_key.test_client()
    browser.set_cookie("session", forged_session_cookie(app_without_key, OLD_CONSTANT, admin))

    answer = browser.get("/admin/users")

    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_a_cookie_signed_with_the_products_own_key_does_open_the_page(app_without_key, make_user):
    """The forged cookie above is refused for its key, not for its shape."""
    admin = make_user(Role.admin)
    db.session.commit()
    browser = app_without_key.test_client()
    own_key = app_without_key.config["SECRET_KEY"]
    browser.set_cookie("session", forged_session_cookie(app_without_key, own_key, admin))

    assert browser.get("/admin/users").status_code == 200


def _start_when_told(path: Path, go, keys) -> None:
    go.wait()
    keys.put(load_or_create(path))


def test_processes_starting_at_once_end_up_with_one_key(tmp_path):
    """Eight processes at the same moment, twenty times over (a check-then-write race splits
    the key in about one round out of four here)."""
    context = multiprocessing.get_context("fork")
    for round_ in range(20):
        key_file = tmp_path / str(round_) / "secret_key"
        go, keys = context.Event(), context.Queue()
        workers = [
            context.Process(target=_start_when_told, args=(key_file, go, keys)) for _ in range(8)
        ]
        for worker in workers:
            worker.start()
        go.set()  # as gunicorn's workers, all at the same moment
        found = [keys.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=60)

        assert len(set(found)) == 1, f"round {round_}: {len(set(found))} keys"
        assert key_file.read_text().strip() == found[0]
        assert [p.name for p in key_file.parent.iterdir()] == ["secret_key"]  # no drafts left


def test_the_published_constant_is_refused_as_a_secret_key(app):
    with pytest.raises(SecretKeyProblem, match="совпадает с ключом из исходного кода"):
        create_app({**app.config, "SECRET_KEY": OLD_CONSTANT})


def start(tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """`create_app()` in a fresh process with `env` (as gunicorn and `flask` start it)."""
    environment = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_ENV", "PRODUCTION")
    }
    environment.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'app.sqlite'}",
        SECRET_KEY_FILE=str(tmp_path / "secret_key"),
        **env,
    )
    program = "from web import create_app; print(create_app().config['SESSION_COOKIE_SECURE'])"
    return subprocess.run(
        [sys.executable, "-c", program],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("production", [{"FLASK_ENV": "production"}, {"PRODUCTION": "1"}])
def test_the_production_mode_refuses_to_start_without_a_secret_key(tmp_path, production):
    started = start(tmp_path, **production)

    assert started.returncode != 0
    assert "В рабочем режиме (PRODUCTION=1 или FLASK_ENV=production) нужен SECRET_KEY" in (
        started.stderr
    )
    assert not (tmp_path / "secret_key").exists()


def test_the_production_mode_starts_with_a_secret_key_and_https_makes_cookies_secure(tmp_path):
    started = start(
        tmp_path, FLASK_ENV="production", SECRET_KEY="x" * 64, PREFERRED_URL_SCHEME="https"
    )

    assert (started.returncode, started.stdout.strip()) == (0, "True"), started.stderr
    assert not (tmp_path / "secret_key").exists()


def test_the_embedded_mode_starts_without_a_secret_key_and_plain_http_cookies(tmp_path):
    started = start(tmp_path)

    assert (started.returncode, started.stdout.strip()) == (0, "False"), started.stderr
    assert (tmp_path / "secret_key").exists()
