"""Helpers the browser tests share: logging in as a demo user, the menu, the editor's properties
panel."""

from __future__ import annotations

DEMO_PASSWORD = "demo"


def log_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Эл. почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/projects")


def nav(page, label: str):
    """A menu entry in the left sidebar (shown beside the page from 992 px wide)."""
    return page.get_by_test_id("sidebar").get_by_role("link", name=label, exact=True)


def panel(page):
    """The process editor's properties panel."""
    return page.get_by_test_id("editor-properties")


def field(page, entry_id: str):
    return panel(page).locator(f"#bio-properties-panel-{entry_id}")


def open_group(page, group_id: str) -> None:
    header = panel(page).locator(
        f'[data-group-id="group-{group_id}"] .bio-properties-panel-group-header'
    )
    if "open" not in (header.get_attribute("class") or "").split():
        header.click()
