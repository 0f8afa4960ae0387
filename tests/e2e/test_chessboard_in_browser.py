"""A head of sales finds a free two-room flat on the chessboard in a real Chromium."""

from __future__ import annotations

import re

import pytest

from tests.e2e.browser_support import log_in

pytestmark = pytest.mark.e2e

COUNTER = re.compile(r"Подходит (\d+) из (\d+)")


def counter(page) -> tuple[int, int]:
    text = page.get_by_test_id("match-count").inner_text()
    found = COUNTER.fullmatch(text.strip())
    assert found, text
    return int(found[1]), int(found[2])


def board_cells(page) -> list[dict]:
    return page.eval_on_selector_all(
        "[data-testid=chessboard] a.cell",
        """cells => cells.map(c => ({
            number: c.querySelector('.n').innerText.split(' · ')[0].trim(),
            rooms: c.querySelector('.n').innerText.split(' · ')[1].trim(),
            status: c.dataset.status,
            dim: c.classList.contains('dim'),
            opacity: parseFloat(getComputedStyle(c).opacity),
        }))""",
    )


def test_head_of_sales_finds_a_free_two_room_flat_on_the_chessboard(
    page, live_server, demo_data, screenshot_dir
):
    log_in(page, live_server, "head_of_sales@demo.local", "demo")
    assert page.get_by_test_id("current-user").inner_text().endswith("Руководитель отдела продаж")

    page.get_by_role("heading", name="Объекты строительства").wait_for()
    page.get_by_role("link", name="Шахматка: Корпус 1").click()
    page.wait_for_url(re.compile(r"/buildings/\d+/chessboard$"))

    table = page.get_by_test_id("chessboard")
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    assert headers == ["Этаж", "Секция 1", "Секция 2", "Секция 3", "Секция 4"]
    floors = [f.strip() for f in table.locator("tbody tr > th").all_inner_texts()]
    assert floors[0] == "17"
    assert floors == sorted(floors, key=int, reverse=True)
    matched_before, total = counter(page)
    assert matched_before == total > 300
    screen_width = page.viewport_size["width"]  # 1366, a laptop
    for header in table.locator("thead th").all():
        box = header.bounding_box()
        assert box["x"] + box["width"] <= screen_width, f"{header.inner_text()} is off screen"
    page.screenshot(path=str(screenshot_dir / "chessboard.png"))

    page.locator("input[name=status][value=available]").check()
    page.locator("input[name=rooms][value='2']").check()
    page.get_by_role("button", name="Показать").click()
    page.wait_for_url(re.compile(r"status=available"))

    assert page.locator(".is-invalid").count() == 0
    matched, total_after = counter(page)
    assert total_after == total
    assert 0 < matched < matched_before
    cells = board_cells(page)
    bright = [c for c in cells if not c["dim"]]
    assert len(cells) == total
    assert len(bright) == matched
    assert all(c["status"] == "available" and c["rooms"] == "2к" for c in bright)
    assert all(c["opacity"] == 1 for c in bright)
    dimmed = [c for c in cells if c["dim"]]
    assert all(c["status"] != "available" or c["rooms"] != "2к" for c in dimmed)
    assert all(c["opacity"] < 0.5 for c in dimmed)
    page.screenshot(path=str(screenshot_dir / "chessboard-filtered.png"))
    page.screenshot(path=str(screenshot_dir / "chessboard-full.png"), full_page=True)

    chosen = bright[0]["number"]
    page.locator("[data-testid=chessboard] a.cell:not(.dim)").first.click()
    page.wait_for_url(re.compile(r"/premises/\d+$"))

    assert f"№ {chosen}" in page.get_by_test_id("premise-title").inner_text()
    assert page.get_by_test_id("premise-status").inner_text().strip() == "Свободно"
    page.screenshot(path=str(screenshot_dir / "premise.png"))


def test_wrong_password_keeps_the_visitor_on_the_login_page(page, live_server, demo_data):
    page.goto(f"{live_server}/login")
    page.get_by_label("Эл. почта").fill("head_of_sales@demo.local")
    page.get_by_label("Пароль").fill("wrong")
    page.get_by_role("button", name="Войти").click()

    page.get_by_text("Неверная эл. почта или пароль").wait_for()
    assert page.url.startswith(f"{live_server}/login")
