"""Open311 GeoReport v2 documents as JSON or XML, element names as the specification gives
them (http://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

import json
from typing import Any
from xml.etree import ElementTree as ET

from django.http import HttpResponse

# The element a list's items take in XML, by the list's element.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "errors": "error",
}


def _fill(parent: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(ET.SubElement(parent, key), inner)
    elif isinstance(value, list):
        name = ITEM_NAMES.get(parent.tag, "item")
        for inner in value:
            _fill(ET.SubElement(parent, name), inner)
    elif isinstance(value, bool):
        parent.text = "true" if value else "false"
    elif value is not None:
        parent.text = str(value)


def render(document: Any, *, root: str, fmt: str, status: int = 200) -> HttpResponse:
    """``document`` (a list or a dict) as ``fmt`` ("json" or "xml"); ``root`` is the XML root."""
    if fmt == "xml":
        element = ET.Element(root)
        _fill(element, document)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(element, "utf-8")
        return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")
    return HttpResponse(
        json.dumps(document, ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def errors(status: int, description: str, *, fmt: str) -> HttpResponse:
    """The specification's error document: a list of {code, description}."""
    return render(
        [{"code": status, "description": description}], root="errors", fmt=fmt, status=status
    )
