"""What every benchmark needs: a scratch PostgreSQL database and the migrated app on a URL."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, make_url, text

from web import create_app
from web.config import ROOT, Config, TestConfig

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def postgres_database(prefix: str) -> Iterator[str | None]:
    """A fresh database `<prefix>_<pid>` on the server BENCH_POSTGRES_URL / TEST_DATABASE_URL
    names, dropped afterwards; the database those variables name is never touched."""
    base = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_DATABASE_URL")
    base = TestConfig.normalise_database_url(base or DEFAULT_POSTGRES)
    if not base.startswith("postgresql"):
        print("PostgreSQL: skipped (BENCH_POSTGRES_URL / TEST_DATABASE_URL is not PostgreSQL)")
        yield None
        return
    name = f"{prefix}_{os.getpid()}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # noqa: BLE001 - no server means no PostgreSQL figures
        print(f"PostgreSQL: skipped ({str(error).splitlines()[0]})")
        admin.dispose()
        yield None
        return
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def databases(prefix: str) -> Iterator[tuple[Path, list[tuple[str, str]]]]:
    """A temp folder and the (label, url) pairs to measure: SQLite there, and PostgreSQL in a
    scratch database when a server is configured and reachable."""
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as folder:
        found = [("SQLite", f"sqlite:///{Path(folder) / 'bench.sqlite'}")]
        with postgres_database(prefix.replace("-", "_")) as url:
            if url:
                found.append(("PostgreSQL", url))
            yield Path(folder), found


def migrated_app(url: str, uploads: Path) -> Flask:
    """The app on `url` (test settings), migrated to the newest schema."""
    from flask_migrate import upgrade

    settings = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app(
        {
            **settings,
            "SQLALCHEMY_DATABASE_URI": TestConfig.normalise_database_url(url),
            "UPLOAD_FOLDER": str(uploads),
            # as in production (the test configuration turns the per-worker cache off)
            "SHARED_CACHE_SECONDS": Config.SHARED_CACHE_SECONDS,
        }
    )
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    return app
