"""Shared fixtures: an app on a real database, a logged-in client per role, the factories of
tests/factories bound to the app's session (they flush; a test that needs committed rows commits).

The database is SQLite in a temporary folder by default, PostgreSQL when TEST_DATABASE_URL
points at one (CI). Migrations run once per session; every test starts with empty tables.
"""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import create_engine, text

from engine import areas
from models.db.clock import run_freely, utcnow
from models.users.user import Role, User
from tests.factories import catalog, clients, users
from tests.time_support import StoppedClock
from web import create_app
from web.config import TestConfig
from web.extensions import db

IN_CI = os.environ.get("CI", "").lower() == "true"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

areas.register_all()  # as create_app() does: tests that build no app need the areas too


def service_missing(name: str, reason: str):
    """In CI a missing service fails the test; on a laptop it skips with the reason."""
    message = f"{name} недоступен: {reason}"
    if IN_CI:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def postgres_available(url: str = POSTGRES_URL) -> str | None:
    try:
        engine = create_engine(url)
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "not here"
        return str(error).splitlines()[0]
    return None


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


def _reset_postgres_schema(url: str) -> None:
    engine = create_engine(TestConfig.normalise_database_url(url))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory)
    if url.startswith("postgres"):
        problem = postgres_available(TestConfig.normalise_database_url(url))
        if problem:
            service_missing("PostgreSQL", problem)
        _reset_postgres_schema(url)
    return url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    from flask_migrate import upgrade

    uploads = tmp_path_factory.mktemp("uploads")
    application = create_app(
        {
            **{k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()},
            "SQLALCHEMY_DATABASE_URI": database_url,
            "UPLOAD_FOLDER": str(uploads),
        }
    )
    with application.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
    return application


@pytest.fixture(autouse=True)
def _app_context(request):
    """Tests that use the app get an app context and empty tables afterwards."""
    if "app" not in request.fixturenames:
        yield
        return
    application = request.getfixturevalue("app")
    with application.app_context():
        yield
        db.session.rollback()
        try:
            if _reservation_scenario(request) and not request.node.get_closest_marker(
                "leaves_held"
            ):
                _no_premise_held_without_process(request)
        finally:
            _empty_tables()
            db.session.remove()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep the test's own outcome on it, for the checks its fixtures run afterwards."""
    report = (yield).get_result()
    if report.when == "call":
        item.outcome_of_call = report


def _reservation_scenario(request) -> bool:
    """The tests of reservations, their queue and their process, wherever they live; not those
    on the demo data, which holds one premise under a failed process on purpose (its own test:
    tests/web/test_cli_and_demo.py)."""
    if "demo_data" in request.fixturenames:
        return False
    name = request.module.__name__.rpartition(".")[2]
    return any(word in name for word in ("reservation", "queue", "sales", "tick"))


def _no_premise_held_without_process(request) -> None:
    """The consistency check (engine/sales/consistency.py) finds nothing once a reservation
    scenario has run: no premise is left held by a process that failed or ended."""
    from engine.sales.consistency import held_without_process

    outcome = getattr(request.node, "outcome_of_call", None)
    if outcome is None or outcome.failed:  # a failed test's state says nothing more
        return
    held = held_without_process(db.session)
    db.session.rollback()
    assert not held, f"{len(held)} premise(s) held without a live process afterwards: {held[:3]}"


def _empty_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        quoted = ", ".join(f'"{name}"' for name in tables)
        db.session.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
    else:
        for name in tables:
            db.session.execute(text(f'DELETE FROM "{name}"'))
    db.session.commit()


@pytest.fixture
def clock():
    """The application's clock, stopped at the current second; `clock.advance(minutes=31)`."""
    stopped = StoppedClock(utcnow().replace(microsecond=0))
    yield stopped
    run_freely()


@pytest.fixture
def db_session(app):
    return db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """`make_user(role, email=None, **fields)`: tests.factories.users.user in the app's session."""
    return partial(users.user, db.session)


@pytest.fixture
def manager(make_user):
    return make_user(Role.sales_manager)


@pytest.fixture
def head(make_user):
    return make_user(Role.head_of_sales)


@pytest.fixture
def analyst(make_user):
    return make_user(Role.analyst)


@pytest.fixture
def login_as(client, make_user):
    """Log the test client in as a (new or existing) user of `role`; returns the user.

    Commits what the test has built so far: the requests that follow are transactions of their
    own on the session they share with the test, and a refused one rolls back."""

    def login(role: Role | str) -> User:
        role = Role(role)
        user = db.session.query(User).filter_by(email=f"{role.value}@test.local").one_or_none()
        if user is None:
            user = make_user(role)
        db.session.commit()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        # Requests share the test's app context, and Flask-Login caches the user in `g`.
        g.pop("_login_user", None)
        return user

    return login


@pytest.fixture
def make_project(app):
    return partial(catalog.project, db.session)


@pytest.fixture
def make_building(app):
    """`make_building(project=None, name=…, sections=2, …)`: a building, in a new project."""
    return partial(catalog.building, db.session)


@pytest.fixture
def make_premise(app):
    """`make_premise(building, number="1", floor=1, price=…, …)`: a flat for sale."""
    return partial(catalog.premise, db.session)


@pytest.fixture
def make_client(app):
    """`make_client(name=…, phone=<a new number>, email=None, manager_id=…, …)`: a buyer."""
    return partial(clients.client, db.session)
