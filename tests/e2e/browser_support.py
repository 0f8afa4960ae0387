"""Helpers the browser tests share: logging in as a demo user, the editor's properties panel."""

from __future__ import annotations

DEMO_PASSWORD = "demo"


def log_in(page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Эл. почта").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base_url}/projects")


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
