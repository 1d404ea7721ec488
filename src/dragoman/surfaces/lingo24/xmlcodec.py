"""Lingo24 resources as XML (`Accept: application/xml`) and XML request bodies.

The shape mirrors the JSON one: an object is an element whose children are its keys, in
order (`<project><id>3</id><name>Site</name>...</project>`); a null value is left out; a list
repeats the element named for its items (`<projects><project>...</project></projects>`); a
page is `<page><content>...</content><page><size>..</size>...</page><links><link>
<rel>next</rel><href>...</href></link></links></page>`; metrics nest their bands
(`<metrics><values><TOTAL><WORDS>12</WORDS>...</TOTAL>...</values></metrics>`); an error is
`<error><message>...</message><field>...</field></error>`. Request bodies are one element
whose children are the fields (`<project><name>Site</name></project>`). Documents with a
DTD or entity declarations are refused; nothing external is ever loaded.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from dragoman.errors import BadRequestError

MAX_DEPTH = 8


def _item_name(container: str) -> str:
    if container.endswith("ies"):
        return container[:-3] + "y"
    return container[:-1] if container.endswith("s") else "item"


def _append(parent: etree._Element, name: str, value: Any) -> None:
    if value is None:
        return
    node = etree.SubElement(parent, name)
    _fill(node, name, value)


def _fill(node: etree._Element, name: str, value: Any) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _append(node, str(key), item)
    elif isinstance(value, list):
        for item in value:
            _append(node, _item_name(name), item)
    elif isinstance(value, bool):
        node.text = "true" if value else "false"
    else:
        node.text = str(value)


def render(root: str, value: Any) -> bytes:
    """`value` (JSON-shaped) as an XML document whose root element is `root`."""
    node = etree.Element(root)
    _fill(node, root, value)
    return bytes(etree.tostring(node, xml_declaration=True, encoding="UTF-8"))


_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
)


def parse(body: bytes) -> dict[str, Any]:
    """The fields of an XML request body (one level: `<x><name>v</name></x>` -> {name: v});
    400 for a malformed document or one with a DTD."""
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise BadRequestError("XML bodies must not declare a DTD or entities", field="body")
    try:
        root = etree.fromstring(body, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise BadRequestError(f"the XML body is malformed: {exc}", field="body") from None
    if root.getroottree().docinfo.doctype:
        raise BadRequestError("XML bodies must not declare a DTD", field="body")
    return _fields(root, 0)


def _fields(node: etree._Element, depth: int) -> dict[str, Any]:
    if depth > MAX_DEPTH:
        raise BadRequestError("the XML body is nested too deeply", field="body")
    found: dict[str, Any] = {}
    for child in node:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        if len(child):
            found[child.tag] = _fields(child, depth + 1)
        else:
            found[child.tag] = (child.text or "").strip()
    return found
