"""The real app served on loopback, the demo data in its database, and Debian's Chromium.

The server shares the test database of tests/conftest.py's `app`; that file's autouse fixture
empties every table after each test, so the demo data is loaded per test.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from web.extensions import db

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="session")
def live_server(app) -> Iterator[str]:
    """Base URL of the app served by werkzeug in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def demo_data(app) -> None:
    from web.demo import load

    load(db.session)
    db.session.commit()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium не установлен ({CHROMIUM}): bash scripts/ensure_chromium.sh"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=LAPTOP, locale="ru-RU")
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def new_page(browser):
    """Opens a page in a fresh browser context (one login each); all are closed afterwards."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport=LAPTOP, locale="ru-RU")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path_factory) -> Path:
    """Screenshots go to a temp dir (never committed); E2E_SCREENSHOTS names a fixed one."""
    fixed = os.environ.get("E2E_SCREENSHOTS")
    if fixed:
        Path(fixed).mkdir(parents=True, exist_ok=True)
        return Path(fixed)
    return tmp_path_factory.mktemp("screenshots")
