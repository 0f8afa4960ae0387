"""Sessions end for real (issue 14, § 7): a session or remember-me cookie copied before a logout
or a password change no longer opens pages; the remember-me cookie is Lax, HttpOnly, lives as
long as the setting says, and is Secure (with the session cookie) when served over HTTPS."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask import g

from models.settings.store import set_setting
from models.users.user import Role
from tests.factories.users import PASSWORD
from web.extensions import db

NEW_PASSWORD = "Kvartira-na-Neve-7"


def opens(client, url: str = "/projects") -> bool:
    g.pop("_login_user", None)  # requests share the test's app context: no cached user
    return client.get(url).status_code == 200


def logged_in_browser(app, email: str, password: str = PASSWORD, remember: bool = True):
    browser = app.test_client()
    g.pop("_login_user", None)
    data = {"email": email, "password": password}
    if remember:
        data["remember"] = "y"
    assert browser.post("/login", data=data).status_code == 302
    return browser


def copy_of(app, browser, *names: str):
    """Another browser holding copies of `names` cookies of `browser` (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, browser.get_cookie(name).value)
    return thief


@pytest.fixture
def anna(make_user):
    user = make_user(Role.sales_manager, email="anna@test.local")
    db.session.commit()
    return user


def test_a_session_cookie_copied_before_logout_no_longer_opens_pages(app, anna):
    browser = logged_in_browser(app, anna.email, remember=False)
    stolen = copy_of(app, browser, "session")
    assert opens(stolen)  # the copy works while the session lives

    g.pop("_login_user", None)
    assert browser.post("/logout").status_code == 302

    assert not opens(stolen)
    assert not opens(browser)


def test_a_remember_me_cookie_copied_before_logout_no_longer_opens_pages(app, anna):
    browser = logged_in_browser(app, anna.email)
    stolen = copy_of(app, browser, "remember_token")
    assert opens(stolen)  # the cookie alone logs in while it is valid

    g.pop("_login_user", None)
    browser.post("/logout")

    assert not opens(stolen)


def test_a_new_password_ends_the_employees_sessions_and_remember_me_cookies(app, anna, make_user):
    browser = logged_in_browser(app, anna.email)
    session_copy = copy_of(app, browser, "session")
    remember_copy = copy_of(app, browser, "remember_token")
    admin = make_user(Role.admin, email="admin@test.local")
    db.session.commit()
    admin_browser = logged_in_browser(app, admin.email, remember=False)

    g.pop("_login_user", None)
    saved = admin_browser.post(
        f"/admin/users/{anna.id}",
        data={
            "email": anna.email,
            "full_name": "Анна Петрова",
            "role": "sales_manager",
            "password": NEW_PASSWORD,
            "is_active": "y",
        },
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)

    assert [opens(b) for b in (browser, session_copy, remember_copy)] == [False, False, False]
    assert opens(logged_in_browser(app, anna.email, NEW_PASSWORD))
    assert opens(admin_browser, "/admin/users")  # the admin's own session is untouched


def test_an_admin_who_changes_their_own_password_stays_logged_in(app, make_user):
    admin = make_user(Role.admin, email="admin@test.local", full_name="Олег")
    db.session.commit()
    browser = logged_in_browser(app, admin.email)
    stolen = copy_of(app, browser, "session")

    g.pop("_login_user", None)
    saved = browser.post(
        f"/admin/users/{admin.id}",
        data={
            "email": admin.email,
            "full_name": "Олег",
            "role": "admin",
            "password": NEW_PASSWORD,
            "is_active": "y",
        },
    )

    assert saved.status_code == 302, saved.get_data(as_text=True)
    assert opens(browser, "/admin/users")
    assert not opens(stolen, "/admin/users")


def test_a_weak_new_password_is_refused_at_its_field_and_nothing_changes(app, login_as, client):
    admin = login_as(Role.admin)
    before = (admin.password_hash, admin.session_version)

    g.pop("_login_user", None)
    answer = client.post(
        f"/admin/users/{admin.id}",
        data={"email": admin.email, "role": "admin", "password": "йцукенгшщз", "is_active": "y"},
    )

    assert answer.status_code == 200
    assert "Такой пароль подбирают первым" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert (admin.password_hash, admin.session_version) == before


def test_the_remember_me_cookie_is_lax_http_only_and_lives_as_the_setting_says(app, anna):
    set_setting(db.session, "login.remember_for", "P3D")
    db.session.commit()
    g.pop("_login_user", None)
    answer = app.test_client().post(
        "/login", data={"email": anna.email, "password": PASSWORD, "remember": "y"}
    )

    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("remember_"))
    attributes = {part.strip().split("=")[0].lower(): part for part in cookie.split(";")}
    assert "httponly" in attributes and "secure" not in attributes
    assert attributes["samesite"].strip() == "SameSite=Lax"
    expires = datetime.strptime(attributes["expires"].split("=", 1)[1], "%a, %d %b %Y %H:%M:%S GMT")
    lifetime = expires.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(days=2, hours=23) < lifetime <= timedelta(days=3)


def test_over_https_the_session_and_remember_me_cookies_are_secure(app, anna, monkeypatch):
    for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
        monkeypatch.setitem(app.config, key, True)
    g.pop("_login_user", None)
    answer = app.test_client().post(
        "/login",
        base_url="https://localhost",
        data={"email": anna.email, "password": PASSWORD, "remember": "y"},
    )

    cookies = {h.split("=")[0]: h for h in answer.headers.getlist("Set-Cookie")}
    assert set(cookies) >= {"session", "remember_token"}
    assert all("; Secure" in header for header in cookies.values())


def test_a_session_from_before_session_versions_counts_as_version_zero(app, anna):
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_user_id"] = str(anna.id)  # as sessions were written before
    assert opens(browser)

    anna.end_sessions()
    db.session.commit()
    assert not opens(browser)
