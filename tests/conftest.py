"""Shared fixtures: an app on a real database, a logged-in client per role, small factories.

The database is SQLite in a temporary folder by default, PostgreSQL when TEST_DATABASE_URL
points at one (CI). Migrations run once per session; every test starts with empty tables.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from flask import g
from sqlalchemy import create_engine, text

from models.catalog.objects import Building, Premise, PremiseKind, PremiseStatus, Project
from engine import areas
from models.db.clock import run_freely, utcnow
from models.users.user import Role, User
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
        _empty_tables()
        db.session.remove()


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
    def factory(role: Role | str = Role.sales_manager, email: str | None = None, **fields):
        role = Role(role)
        user = User(
            email=email or f"{role.value}@test.local",
            role=role,
            full_name=fields.pop("full_name", f"Тест {role.value}"),
            **fields,
        )
        user.set_password("secret")
        db.session.add(user)
        db.session.commit()
        return user

    return factory


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
    """Log the test client in as a (new or existing) user of `role`; returns the user."""

    def login(role: Role | str) -> User:
        role = Role(role)
        user = db.session.query(User).filter_by(email=f"{role.value}@test.local").one_or_none()
        if user is None:
            user = make_user(role)
        with client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        # Requests share the test's app context, and Flask-Login caches the user in `g`.
        g.pop("_login_user", None)
        return user

    return login


@pytest.fixture
def make_project(app):
    def factory(name: str = "Тестовый парк", **fields) -> Project:
        project = Project(name=name, city=fields.pop("city", "Москва"), **fields)
        db.session.add(project)
        db.session.commit()
        return project

    return factory


@pytest.fixture
def make_building(make_project):
    def factory(
        project: Project | None = None,
        name: str = "Корпус 1",
        floors_above: int = 10,
        floors_below: int = 0,
        sections: int = 2,
        **fields,
    ) -> Building:
        project = project or make_project()
        building = Building(
            project=project,
            name=name,
            address=fields.pop("address", "г. Москва, ул. Тестовая, 1"),
            floors_above=floors_above,
            floors_below=floors_below,
            **fields,
        )
        db.session.add(building)
        for number in range(1, sections + 1):
            building.ensure_section(number)
        db.session.commit()
        return building

    return factory


@pytest.fixture
def make_premise(app):
    def factory(
        building: Building,
        number: str = "1",
        floor: int = 1,
        section: int = 1,
        total_area: Decimal | str = "50.00",
        price: Decimal | str = "10000000.00",
        status: PremiseStatus = PremiseStatus.available,
        kind: PremiseKind = PremiseKind.apartment,
        **fields,
    ) -> Premise:
        target = building.ensure_section(section).ensure_floor(floor)
        premise = Premise(
            building=building,
            number=number,
            kind=kind,
            rooms=fields.pop("rooms", 2),
            total_area=Decimal(total_area),
            price=Decimal(price),
            status=status,
            **fields,
        )
        premise.floor = target
        db.session.add(premise)
        db.session.commit()
        return premise

    return factory
