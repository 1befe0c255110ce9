"""Security headers on every kind of page (citizen, staff, API) and production's check --deploy."""

import json
import re

import pytest
from django.conf import settings
from django.test import override_settings

from tests.core.test_settings import PRODUCTION_ENV, run_python


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_strict_headers(response, *, html=True):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    if html:  # the nonce appears once a page used it
        assert any(s.startswith("'nonce-") for s in csp["script-src"])
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def nonce_of(response) -> str:
    return next(s for s in csp_directives(response)["script-src"] if s.startswith("'nonce-"))[7:-1]


def test_citizen_page_headers_and_every_inline_block_carries_the_nonce(client, pemda):
    response = client.get("/aduan/")

    assert response.status_code == 200
    assert_strict_headers(response)
    html = response.content.decode()
    nonce = nonce_of(response)
    # Every <style> block carries this response's nonce; no inline <script>, no on*= handler.
    styles = re.findall(r"<style([^>]*)>", html)
    assert styles
    assert all(f'nonce="{nonce}"' in attrs for attrs in styles)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    # A second response has a fresh nonce.
    assert nonce_of(client.get("/aduan/")) != nonce


def test_staff_page_and_api_headers(client, koordinator):
    client.force_login(koordinator)
    page = client.get("/staf/triase/")
    api = client.get("/api/v1/me/")

    assert page.status_code == 200
    assert api.status_code == 200
    assert_strict_headers(page)
    assert_strict_headers(api, html=False)
    assert not re.search(r"\son[a-z]+\s*=", page.content.decode())


def test_api_docs_scripts_carry_the_nonce(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert_strict_headers(response)
    nonce = nonce_of(response)
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts
    assert all(f'nonce="{nonce}"' in attrs for attrs in scripts)
    assert "fonts.googleapis.com" not in client.get("/api/redoc/").content.decode()


def test_map_tile_host_is_allowed_for_images_only_on_map_pages_and_only_when_configured(client, pemda):
    """img-src names the tile server (its a/b/c subdomains for a {s} template) on the pages that
    draw a map, and nothing external anywhere without a tile server."""
    assert settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] == ["'self'", "data:"]
    assert csp_directives(client.get("/aduan/"))["img-src"] == ["'self'", "data:"]
    with override_settings(ADUAN_MAP_TILE_URL="https://{s}.tiles.example.id/{z}/{x}/{y}.png"):
        filing = csp_directives(client.get("/aduan/"))
        other = csp_directives(client.get("/statistik/"))
    assert filing["img-src"] == [
        "'self'",
        "data:",
        "https://a.tiles.example.id",
        "https://b.tiles.example.id",
        "https://c.tiles.example.id",
    ]
    assert other["img-src"] == ["'self'", "data:"]
    assert filing["connect-src"] == ["'self'"]
    assert filing["script-src"][0] == "'self'"


PROD_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import override_settings
from django.test import Client, override_settings
HOST = {"host": "aduan.balikpapan.go.id"}
# No collectstatic here: plain static storage instead of the manifest.
override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
response = Client().get("/api/tidak-ada/", secure=True, headers={"host": "aduan.balikpapan.go.id"})
print(json.dumps({
    "status": response.status_code,
    "headers": {k: v for k, v in response.headers.items()},
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_samesite": settings.SESSION_COOKIE_SAMESITE,
    "csrf_secure": settings.CSRF_COOKIE_SECURE,
    "csrf_samesite": settings.CSRF_COOKIE_SAMESITE,
    "redirect": Client().get("/api/tidak-ada/", headers={"host": "aduan.balikpapan.go.id"}).status_code,
    "cookies": {
        name: {flag: morsel[flag] for flag in ("secure", "httponly", "samesite")}
        for response in (
            Client().get("/staf/masuk/", secure=True, headers=HOST),
            Client().post("/i18n/setlang/", {"language": "en"}, secure=True, headers=HOST),
        )
        for name, morsel in response.cookies.items()
    },
}))
"""


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    result = run_python(PROD_PROBE, {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout.strip().splitlines()[-1])

    assert out["status"] == 404
    headers = out["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert out["session_secure"]
    assert out["session_httponly"]
    assert out["csrf_secure"]
    assert out["session_samesite"] == "Lax"
    assert out["csrf_samesite"] == "Lax"
    assert out["redirect"] == 301  # plain HTTP is sent to HTTPS
    # The cookies really sent: the CSRF cookie (sign-in page) and the language cookie.
    cookies = out["cookies"]
    assert set(cookies) == {"csrftoken", "django_language"}
    assert all(c["secure"] is True and c["samesite"] == "Lax" for c in cookies.values()), cookies
    assert cookies["django_language"]["httponly"] is True


def test_production_check_deploy_has_no_warning_or_error(tmp_path):
    result = run_python(
        "", {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path)}, "manage.py", "check", "--deploy"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"\((security|[a-z_]+)\.[WE]\d+\)", output), output
    assert "System check identified no issues (0 silenced)." in output


@pytest.mark.parametrize("weak", ["", "short-key", "django-insecure-" + "x" * 60])
def test_production_check_deploy_flags_a_weak_secret_key(tmp_path, weak):
    env = {**PRODUCTION_ENV, "ADUAN_VAR_DIR": str(tmp_path), "SECRET_KEY": weak}
    result = run_python("", env, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout or "ImproperlyConfigured" in result.stderr
