"""Schemas of the Open311 GeoReport v2 documents, written from the specification
(http://wiki.open311.org/GeoReport_v2), and a reader that turns the XML form into the JSON form
so one schema checks both. XML leaves are text; the reader types the ones the JSON form types
(booleans and integers) and turns the spec's list elements into lists."""

import xml.etree.ElementTree as ET

STR = {"type": "string"}
W3C = {"type": "string", "pattern": r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2})?$"}


def obj(required: dict, optional: dict | None = None) -> dict:
    props = {**required, **(optional or {})}
    return {"type": "object", "required": list(required), "properties": props, "additionalProperties": False}


def array(items: dict, min_items: int = 0) -> dict:
    return {"type": "array", "items": items, "minItems": min_items}


DISCOVERY = obj(
    {
        "changeset": W3C, "contact": STR, "key_service": STR,
        "endpoints": array(obj({
            "specification": {"const": "http://wiki.open311.org/GeoReport_v2"}, "url": STR, "changeset": W3C,
            "type": {"enum": ["production", "test"]},
            "formats": array({"enum": ["text/xml", "application/json"]}, 2),
        }), 1),
    }
)  # fmt: skip
SERVICE = obj(
    {
        "service_code": STR, "service_name": STR, "description": STR, "metadata": {"type": "boolean"},
        "type": {"enum": ["realtime", "batch", "blackbox"]}, "keywords": STR, "group": STR,
    }
)  # fmt: skip
SERVICES = array(SERVICE)
VALUE = obj({"key": STR, "name": STR})
ATTRIBUTE = obj(
    {
        "variable": {"type": "boolean"}, "code": STR,
        "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]},
        "required": {"type": "boolean"}, "datatype_description": STR, "order": {"type": "integer"},
        "description": STR,
    },
    {"values": array(VALUE, 1)},
)  # fmt: skip
SERVICE_DEFINITION = obj({"service_code": STR, "attributes": array(ATTRIBUTE)})
POSTED = array(obj({"service_request_id": STR}, {"token": STR, "service_notice": STR, "account_id": STR}), 1)
REQUEST = obj(
    {
        "service_request_id": STR, "status": {"enum": ["open", "closed"]}, "status_notes": STR,
        "service_name": STR, "service_code": STR, "description": STR, "agency_responsible": STR,
        "service_notice": STR, "requested_datetime": W3C, "updated_datetime": W3C, "expected_datetime": W3C,
        "address": STR, "address_id": STR, "zipcode": STR, "lat": STR, "long": STR, "media_url": STR,
    }
)  # fmt: skip
REQUESTS = array(REQUEST)
TOKENS = array(obj({"service_request_id": STR, "token": STR}), 1)
ERRORS = array(obj({"code": {"type": "integer"}, "description": STR}), 1)

# XML list elements: container -> item tag.
LISTS = {
    "services": "service", "attributes": "attribute", "values": "value", "service_requests": "request",
    "errors": "error", "endpoints": "endpoint", "formats": "format",
}  # fmt: skip
BOOLEANS = {"metadata", "variable", "required"}
INTEGERS = {"order", "code"}


def _read(element, parent_tag: str | None = None):
    tag = element.tag
    if tag in LISTS:
        return [_read(child, tag) for child in element if child.tag == LISTS[tag]]
    if len(element):
        return {child.tag: _read(child, tag) for child in element}
    text = element.text or ""
    if tag in BOOLEANS:
        return {"true": True, "false": False}.get(text, text)
    if tag in INTEGERS and (parent_tag in ("error", "attribute")) and text.isdigit():
        return int(text)
    return text


def xml_document(content: bytes):
    """(root tag, data in the JSON form) of an Open311 XML document; checks the declaration."""
    assert content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), content[:60]
    root = ET.fromstring(content)
    return root.tag, _read(root)
