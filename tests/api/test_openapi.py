"""The OpenAPI schema: generated without warnings, every operation described with a summary, the
checked-in file (aduan/api/openapi.yaml) equal to what the code generates, and the documentation
pages served from local static files."""

import pytest
import yaml
from drf_spectacular.drainage import GENERATOR_STATS

from aduan.api.management.commands.api_schema import SCHEMA_FILE, schema_yaml


def test_the_checked_in_schema_matches_the_code():
    GENERATOR_STATS.reset()
    generated = schema_yaml()

    assert not GENERATOR_STATS._warn_cache, "schema warnings: run manage.py spectacular --validate"
    assert not GENERATOR_STATS._error_cache
    assert SCHEMA_FILE.read_text() == generated, (
        "aduan/api/openapi.yaml is out of date: run `.venv/bin/python manage.py api_schema`"
    )


def test_every_operation_has_a_summary_and_an_error_shape():
    schema = yaml.safe_load(SCHEMA_FILE.read_text())
    operations = [(path, method, op) for path, item in schema["paths"].items() for method, op in item.items()]

    assert len(operations) >= 30
    for path, method, op in operations:
        assert op.get("summary"), (path, method)
        assert path.startswith("/api/v1/"), path
    assert set(schema["components"]["schemas"]["Error"]["properties"]) >= {"code", "message"}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["/api/docs/", "/api/redoc/"])
def test_the_documentation_pages_use_local_files(client, page):
    response = client.get(page)

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn.jsdelivr" not in html
    assert "unpkg" not in html


@pytest.mark.django_db
def test_the_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Aduan API"
