"""Every URL path and URL name of the site, listed: moving a view between apps must not change a
link that citizens, staff or integrations already use. The list is tests/core/urls.txt; when a new
page is added on purpose, add its line there."""

from pathlib import Path

from django.urls import URLResolver, get_resolver

LISTED = Path(__file__).with_name("urls.txt")


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        else:
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            yield prefix + str(pattern.pattern), name or "-"


def site_urls() -> list[str]:
    rows = {
        f"{path}  {name}"
        for path, name in _walk(get_resolver().url_patterns)
        if not path.startswith("admin/")
    }
    return sorted(rows)


def test_every_url_path_and_name_is_listed():
    listed = [line for line in LISTED.read_text().splitlines() if line.strip()]
    assert site_urls() == listed
