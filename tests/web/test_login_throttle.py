"""Password guessing at the login form (issue 14, § 7): failures are counted per account and
per address in the database, the lock refuses the right password too, says the same for an
email that belongs to nobody, and ends when its window has passed."""

from __future__ import annotations

import hashlib

import pytest
from flask import g
from sqlalchemy import func, select

from models.settings.store import set_setting
from models.users.login_failures import LoginFailure
from models.users.user import Role
from tests.factories.users import PASSWORD
from web.extensions import db

LOCKED = "Слишком много неудачных попыток входа"
WRONG = "Неверная эл. почта или пароль"


def log_in(client, email: str, password: str, address: str = "10.0.0.1"):
    g.pop("_login_user", None)  # requests share the test's app context
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def fail(client, email: str, times: int, address: str = "10.0.0.1") -> None:
    for _ in range(times):
        answer = log_in(client, email, "wrong password", address)
        assert WRONG in answer.get_data(as_text=True)


def failures() -> int:
    return db.session.scalar(select(func.count()).select_from(LoginFailure))


@pytest.fixture
def anna(make_user):
    user = make_user(Role.sales_manager, email="anna@test.local")
    db.session.commit()
    return user


def test_ten_wrong_passwords_lock_the_account_and_the_right_one_is_refused_too(app, anna, clock):
    fail(app.test_client(), anna.email, 10)

    browser = app.test_client()
    refused = log_in(browser, anna.email, PASSWORD)

    assert refused.status_code == 429
    assert LOCKED in refused.get_data(as_text=True)
    g.pop("_login_user", None)
    assert browser.get("/projects").status_code == 302  # not logged in
    assert failures() == 10  # attempts during the lock are not counted


def test_the_lock_of_an_unknown_email_reads_like_the_lock_of_an_existing_one(app, anna, clock):
    answers = {}
    for email in (anna.email, "nobody@test.local"):
        browser = app.test_client()
        fail(browser, email, 10)
        answer = log_in(browser, email, PASSWORD)
        answers[email] = (answer.status_code, LOCKED in answer.get_data(as_text=True))

    assert answers == {anna.email: (429, True), "nobody@test.local": (429, True)}


def test_the_lock_ends_when_its_window_has_passed(app, anna, clock):
    browser = app.test_client()
    fail(browser, anna.email, 10)
    clock.advance(minutes=14)
    assert log_in(browser, anna.email, PASSWORD).status_code == 429

    clock.advance(minutes=2)
    assert log_in(browser, anna.email, PASSWORD).status_code == 302
    g.pop("_login_user", None)
    assert browser.get("/projects").status_code == 200


def test_a_successful_login_starts_the_accounts_count_again(app, anna, clock):
    fail(app.test_client(), anna.email, 9)
    assert log_in(app.test_client(), anna.email, PASSWORD).status_code == 302

    fail(app.test_client(), anna.email, 9)
    assert log_in(app.test_client(), anna.email, PASSWORD).status_code == 302


def test_many_failures_from_one_address_lock_that_address_for_every_email(
    app, anna, make_user, clock
):
    set_setting(db.session, "login.address_failures", "5")
    db.session.commit()
    for n in range(5):  # five guesses at five different accounts
        fail(app.test_client(), f"someone{n}@test.local", 1, address="10.6.6.6")

    from_there = log_in(app.test_client(), anna.email, PASSWORD, address="10.6.6.6")
    from_elsewhere = log_in(app.test_client(), anna.email, PASSWORD, address="10.0.0.2")

    assert from_there.status_code == 429 and LOCKED in from_there.get_data(as_text=True)
    assert from_elsewhere.status_code == 302


def test_the_account_limit_and_the_window_are_business_settings(app, anna, clock):
    set_setting(db.session, "login.account_failures", "3")
    set_setting(db.session, "login.failure_window", "PT1H")
    db.session.commit()
    fail(app.test_client(), anna.email, 3)

    clock.advance(minutes=59)
    assert log_in(app.test_client(), anna.email, PASSWORD).status_code == 429
    clock.advance(minutes=2)
    assert log_in(app.test_client(), anna.email, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_the_clients_own_address_is_counted(app, anna, clock):
    from web import create_app

    behind_proxy = create_app({**app.config, "TRUSTED_PROXIES": 1})
    set_setting(db.session, "login.address_failures", "5")
    db.session.commit()

    def attempt(email: str, password: str, client_address: str):
        g.pop("_login_user", None)
        return behind_proxy.test_client().post(
            "/login",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},  # every request comes from the proxy
            headers={"X-Forwarded-For": client_address},
        )

    for n in range(5):
        attempt(f"someone{n}@test.local", "wrong password", "203.0.113.9")

    assert attempt(anna.email, PASSWORD, "203.0.113.9").status_code == 429
    assert attempt(anna.email, PASSWORD, "198.51.100.7").status_code == 302


def test_an_unknown_email_costs_the_login_one_password_hash_like_a_known_one(
    app, anna, monkeypatch
):
    runs: list[str] = []
    real = hashlib.scrypt

    def counted(password, **parameters):
        runs.append("scrypt n={n} r={r} p={p}".format(**parameters))
        return real(password, **parameters)

    monkeypatch.setattr(hashlib, "scrypt", counted)
    log_in(app.test_client(), "nobody@test.local", "wrong password")  # the stand-in hash is made
    costs = {}
    for email in (anna.email, "nobody@test.local"):
        runs.clear()
        answer = log_in(app.test_client(), email, "wrong password")
        assert WRONG in answer.get_data(as_text=True)
        costs[email] = list(runs)

    assert costs[anna.email] == costs["nobody@test.local"] == ["scrypt n=32768 r=8 p=1"]


def test_failures_older_than_a_day_are_removed_as_new_ones_come(app, anna, clock):
    fail(app.test_client(), anna.email, 3)
    clock.advance(hours=23)
    fail(app.test_client(), "someone@test.local", 2)
    assert failures() == 5

    clock.advance(hours=2)
    fail(app.test_client(), "someone@test.local", 1)

    emails = db.session.scalars(select(LoginFailure.email)).all()
    assert sorted(emails) == ["someone@test.local"] * 3


def test_the_count_is_shared_by_every_worker(app, anna, clock):
    """Two app instances (two gunicorn workers, or two machines) count the same failures."""
    from web import create_app

    workers = [app, create_app({**app.config})]
    email = anna.email  # read once: no transaction of the test stays open meanwhile (SQLite)
    for n in range(10):
        fail(workers[n % 2].test_client(), email, 1)

    for worker in workers:
        assert log_in(worker.test_client(), email, PASSWORD).status_code == 429
