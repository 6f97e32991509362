"""XML files (lxml): a variable named by an XPath (`/app/port`, `//environment`, `/app/@mode`) sets the
text or the attribute values it selects. Comments, whitespace and the declaration stay as they were."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from seaway.packages.structured.base import Edit, NotThisFormat, VariableLookup

_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?(\s*<\?xml[^>]*\?>\s*)?")
_TRAILING_SPACE = re.compile(rb"\s*$")


def replace_xml(data: bytes, lookup: VariableLookup) -> Edit:
    # Entities are not expanded and nothing is fetched: a package's file must not read the server's files.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, strip_cdata=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise NotThisFormat(str(exc)) from exc
    tree = root.getroottree()
    edit = Edit()
    namespaces = _declared_prefixes(root, edit)
    for name in lookup.names:
        # Only names that look like paths: `Octopus.Environment.Name` or `Port` must not select anything.
        if "/" not in name and ":" not in name:
            continue
        try:
            selected = tree.xpath(name, namespaces=namespaces)
        except etree.XPathError:
            continue
        if not isinstance(selected, list) or not selected:
            continue
        value = lookup.value(name)
        if [node for node in selected if _set(node, value, name, edit)]:  # every node, not just the first
            edit.keys.append(name)
    if edit.keys:
        edit.data = _serialize(data, tree)
    return edit


def _set(node: Any, value: str, name: str, edit: Edit) -> bool:
    if isinstance(node, etree._ElementUnicodeResult):
        parent = node.getparent()
        if parent is None:
            return False
        if node.is_attribute:
            parent.set(node.attrname, value)
        elif node.is_tail:
            parent.tail = value
        else:
            parent.text = value
        return True
    if isinstance(node, etree._Comment | etree._ProcessingInstruction):
        node.text = value
        return True
    if isinstance(node, etree._Element):
        if any(isinstance(child.tag, str) for child in node):
            return _set_inner_xml(node, value, name, edit)
        is_cdata = b"<![CDATA[" in etree.tostring(node, with_tail=False)
        node.text = etree.CDATA(value) if is_cdata else value
        return True
    return False


def _set_inner_xml(element: Any, value: str, name: str, edit: Edit) -> bool:
    """An element holding elements takes the variable as an XML fragment, if it is one."""
    try:
        fragment = etree.fromstring(f"<fragment>{value}</fragment>".encode(), etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:
        edit.warnings.append(f"{name}: the value is not an XML fragment, so the element holding elements is kept")
        return False
    for child in list(element):
        element.remove(child)
    element.text = fragment.text
    element.extend(list(fragment))
    return True


def _declared_prefixes(root: Any, edit: Edit) -> dict[str, str]:
    """The namespace prefixes the document declares, for XPaths such as `/x:app/x:port`."""
    prefixes: dict[str, str] = {}
    for element in root.iter(tag=etree.Element):
        for prefix, uri in element.nsmap.items():
            if prefix is None:
                continue
            if prefixes.setdefault(prefix, uri) != uri:
                edit.warnings.append(
                    f'The prefix "{prefix}" names two namespaces; XPaths using it select in "{prefixes[prefix]}"'
                )
    return prefixes


def _serialize(original: bytes, tree: Any) -> bytes:
    """The document as lxml writes it, between the original's own declaration and trailing whitespace."""
    encoding = tree.docinfo.encoding or "utf-8"
    prolog = _DECLARATION.match(original)
    head = prolog.group(0) if prolog else b""
    trailing = _TRAILING_SPACE.search(original)
    tail = trailing.group(0) if trailing else b""
    if tree.docinfo.internalDTD is not None:  # only the whole document's serialization keeps the subset
        document: bytes = etree.tostring(tree, encoding=encoding, xml_declaration=False)
        return head + document + tail
    # Node by node, a line each: lxml would run the comments before the root element into its start tag.
    root = tree.getroot()
    nodes = [*reversed(list(root.itersiblings(preceding=True))), root, *root.itersiblings()]
    parts = [etree.tostring(node, encoding=encoding, xml_declaration=False, with_tail=False) for node in nodes]
    if tree.docinfo.doctype:
        parts.insert(0, tree.docinfo.doctype.encode(encoding))
    return head + b"\n".join(parts) + tail
