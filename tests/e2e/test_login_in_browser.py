"""Logging in from a real Chromium (issue 14, § 7): the lock after repeated wrong passwords is a
Russian message on the login page, and «Запомнить меня» leaves a Lax, HttpOnly cookie that
lives as long as the setting says and stops working after the logout."""

from __future__ import annotations

import time

from models.users.user import Role
from tests.factories.users import PASSWORD
from web.extensions import db


def submit(page, base_url: str, email: str, password: str, remember: bool = False) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Эл. почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    if remember:
        page.get_by_label("Запомнить меня").check()
    page.get_by_role("button", name="Войти").click()
    page.wait_for_load_state()


def test_after_ten_wrong_passwords_even_the_right_one_gets_the_lock_message(
    page, live_server, make_user, screenshot_dir
):
    anna = make_user(Role.sales_manager, email="anna@test.local")
    db.session.commit()
    for _ in range(10):
        submit(page, live_server, anna.email, "wrong password")
        page.get_by_text("Неверная эл. почта или пароль").wait_for()

    submit(page, live_server, anna.email, PASSWORD)

    page.get_by_text("Слишком много неудачных попыток входа").wait_for()
    assert page.url.startswith(f"{live_server}/login")
    page.screenshot(path=str(screenshot_dir / "login-locked.png"))


def test_the_remember_me_cookie_is_lax_and_http_only_and_ends_with_the_logout(
    browser, live_server, make_user
):
    anna = make_user(Role.sales_manager, email="anna@test.local")
    db.session.commit()
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    submit(page, live_server, anna.email, PASSWORD, remember=True)
    page.wait_for_url(f"{live_server}/projects")

    cookie = next(c for c in context.cookies() if c["name"] == "remember_token")
    assert (cookie["sameSite"], cookie["httpOnly"]) == ("Lax", True)
    days_left = (cookie["expires"] - time.time()) / 86400
    assert 13.9 < days_left <= 14  # the default of «Срок «Запомнить меня»»

    stolen = browser.new_context(locale="ru-RU")
    stolen.add_cookies([{**cookie}])
    thief = stolen.new_page()
    thief.goto(f"{live_server}/projects")
    assert thief.url == f"{live_server}/projects"  # the cookie alone opens the pages

    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url(f"{live_server}/login")
    fresh = browser.new_context(locale="ru-RU")
    fresh.add_cookies([{**cookie}])
    later = fresh.new_page()
    later.goto(f"{live_server}/projects")
    assert later.url.startswith(f"{live_server}/login")
    for opened in (context, stolen, fresh):
        opened.close()
