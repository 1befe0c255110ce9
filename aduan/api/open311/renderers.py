"""Open311 GeoReport v2 output in its two formats: XML (with the XML declaration, text/xml) and
JSON (application/json). Items are dicts of strings; a nested list is written as ``Many(tag, items)``
(e.g. ``<values><value>...</value></values>``)."""

import json
import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.http import HttpResponse

XML_CONTENT_TYPE = "text/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
# Characters XML 1.0 cannot carry at all (citizens' text may contain them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Many:
    tag: str
    items: list


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _xml(tag: str, value) -> str:
    if isinstance(value, Many):
        inner = "".join(_xml(value.tag, item) for item in value.items)
    elif isinstance(value, dict):
        inner = "".join(_xml(k, v) for k, v in value.items())
    else:
        inner = escape(_text(value))
    return f"<{tag}>{inner}</{tag}>"


def _plain(value):
    if isinstance(value, Many):
        return [_plain(i) for i in value.items]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(i) for i in value]
    return value


def render(fmt: str, root: str, body, *, status: int = 200) -> HttpResponse:
    """``body`` is a Many (a list document such as <services>) or a dict (<discovery>)."""
    if fmt == "xml":
        text = '<?xml version="1.0" encoding="utf-8"?>\n' + _xml(root, body)
        return HttpResponse(text.encode(), status=status, content_type=XML_CONTENT_TYPE)
    return HttpResponse(
        json.dumps(_plain(body), ensure_ascii=False).encode(), status=status, content_type=JSON_CONTENT_TYPE
    )


def errors(fmt: str, status: int, *descriptions) -> HttpResponse:
    """The spec's error document: a list of <error> with the HTTP code and a description."""
    items = [{"code": status, "description": str(d)} for d in descriptions]
    return render(fmt, "errors", Many("error", items), status=status)
