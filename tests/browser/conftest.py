"""Browser tests: real Chromium (the Debian package) driven by Playwright against pytest-django's
live server. Marked ``browser``: skipped where Chromium is missing, failed instead when
ADUAN_REQUIRE_SERVICES=1 (CI installs it)."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

# Playwright's sync API keeps an event loop running in the test thread for the whole session; the
# tests (and the database teardown) still use the ORM synchronously, which Django would otherwise
# refuse. Subprocess tests drop this variable (tests/core/test_settings.py, _SERVICE_VARS).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


SHOTS = Path(settings.VAR_DIR) / "screenshots"


@pytest.fixture
def shot():
    """``shot(page, name)`` saves a full-page screenshot to var/screenshots/<name>.png."""

    def take(page, name: str) -> None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)

    return take


def _page(chromium, live_server, width: int, height: int):
    context = chromium.new_context(viewport={"width": width, "height": height}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    return context, page


@pytest.fixture
def tablet(chromium, live_server, default_policies):
    """A page at tablet size (1024 × 768), Indonesian, on the live server (staff at their desk)."""
    context, page = _page(chromium, live_server, 1024, 768)
    yield page
    context.close()


@pytest.fixture
def phone(chromium, live_server, default_policies):
    """A page at phone size (360 × 740), Indonesian, on the live server."""
    context, page = _page(chromium, live_server, 360, 740)
    yield page
    context.close()
