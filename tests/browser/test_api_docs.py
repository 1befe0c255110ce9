"""The API documentation renders in Chromium from local static files (Swagger UI and ReDoc from
drf-spectacular-sidecar): the operations are listed; a screenshot goes to var/screenshots/."""

from pathlib import Path

from django.conf import settings

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def test_swagger_ui_lists_the_operations(chromium, live_server, db):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(20_000)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)

    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".opblock-summary-path")

    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert "/api/v1/complaints/" in [p.strip() for p in paths]
    assert any("/transitions/" in p for p in paths)
    assert page.locator(".info .title").inner_text().startswith("Aduan API")
    assert [u for u in outside if not u.startswith("data:")] == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "api-docs.png"))
    context.close()
