"""The frame at 1440 px in a real Chromium (issue 13, § 3): the top bar is one line for the head
of sales and the admin, the menu is a left sidebar of area groups, each role seeing only its
groups; below 992 px the sidebar hides behind a «Меню» button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.browser_support import log_in, nav

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1440, "height": 900}
ONE_ROW = 64  # px: Bootstrap's navbar with small buttons is 56 px high on one line

GROUPS = {
    "head_of_sales@demo.local": ["Продажи", "Клиенты", "Процессы", "Администрирование"],
    "admin@demo.local": ["Продажи", "Клиенты", "Процессы", "Администрирование"],
    "lawyer@demo.local": ["Продажи", "Процессы"],
}


@pytest.mark.parametrize("email", list(GROUPS))
def test_the_top_bar_is_one_line_and_the_sidebar_shows_the_role_its_groups(
    new_page, live_server, demo_data, screenshot_dir, email
):
    page = new_page()
    page.set_viewport_size(DESKTOP)
    log_in(page, live_server, email)

    bar = page.get_by_test_id("topbar").bounding_box()
    assert bar["height"] <= ONE_ROW
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).to_be_visible()
    headings = sidebar.get_by_test_id("nav-group").locator("h3")
    expect(headings).to_have_text(GROUPS[email])
    assert sidebar.bounding_box()["x"] == 0
    expect(nav(page, "Сотрудники")).to_have_count(1 if email.startswith("admin") else 0)
    page.screenshot(path=str(screenshot_dir / f"sidebar-{email.split('@')[0]}.png"))

    nav(page, "Входящие").click()
    page.wait_for_url(f"{live_server}/inbox**")
    expect(nav(page, "Входящие")).to_have_attribute("aria-current", "page")


def test_on_a_narrow_screen_the_menu_opens_from_a_button(new_page, live_server, demo_data):
    page = new_page()
    page.set_viewport_size({"width": 800, "height": 900})
    log_in(page, live_server, "head_of_sales@demo.local")

    expect(page.get_by_test_id("sidebar")).to_be_hidden()
    page.get_by_test_id("menu-toggle").click()
    expect(nav(page, "Клиенты")).to_be_visible()
    nav(page, "Клиенты").click()
    page.wait_for_url(f"{live_server}/clients**")
