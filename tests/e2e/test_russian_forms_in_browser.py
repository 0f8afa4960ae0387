"""Forms speak Russian in a real browser: a file input says «Выбрать файл», never the browser's
«Choose File»; an empty required field is answered by the server in Russian, never by a
browser bubble in its own language (issue 13, § 3)."""

from __future__ import annotations

import pytest

from tests.e2e.browser_support import log_in

pytestmark = pytest.mark.e2e


def test_the_diagram_upload_is_in_russian_and_an_empty_send_gets_a_russian_answer(
    page, live_server, demo_data, screenshot_dir
):
    log_in(page, live_server, "analyst@demo.local")
    page.goto(f"{live_server}/processes/import")
    picker = page.locator(".file-picker")
    assert picker.get_by_text("Выбрать файл").is_visible()
    assert picker.get_by_text("Файл не выбран").is_visible()
    assert "Choose File" not in page.locator("main").inner_text()

    page.get_by_role("button", name="Загрузить").click()  # no file: the server answers
    page.wait_for_load_state()
    assert page.locator(".alert-danger").first.is_visible()
    assert "выберите" in page.locator("main").inner_text().lower()

    page.locator('input[type="file"]').set_input_files(
        {"name": "схема.bpmn", "mimeType": "application/xml", "buffer": b"<not-xml"}
    )
    assert picker.get_by_text("схема.bpmn").is_visible()
    page.screenshot(path=str(screenshot_dir / "russian-file-input.png"))


def test_a_required_field_left_empty_is_answered_by_the_server(page, live_server, demo_data):
    log_in(page, live_server, "admin@demo.local")
    page.goto(f"{live_server}/admin/users/new")
    page.get_by_role("button", name="Сохранить").click()
    page.wait_for_load_state()
    assert page.get_by_text("Укажите эл. почту").is_visible()
    assert page.evaluate("document.querySelectorAll('form:not([novalidate])').length") == 0
