"""`tags:` in the config document: on a project, on an environment and in a policy's `scope`.

    environments: [Dev, Test, {name: Prod, tags: [regulated]}]
    projects:
      - name: Payments
        tags: [pci, regulated]
    approval_policies:
      - name: Regulated change control
        scope: {tags: [regulated]}

An environment listed by its name alone keeps the tags it has; one listed as a mapping gets exactly the tags
it lists.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from seaway.config.reader import Node
from seaway.domain.environments import validate_name
from seaway.domain.tags import validate_tags
from seaway.errors import InvalidInput

ENVIRONMENT_KEYS = {"name", "tags"}


def parse_tags(node: Node) -> tuple[str, ...]:
    """One tag alone stands for a list of one; a bad one is refused naming its path in the document."""
    items = [node] if isinstance(node.value, str) else list(node.items())
    try:
        return validate_tags([n.value for n in items], field=node.path)
    except InvalidInput as refused:
        raise Node(None, refused.field or node.path).fail(refused.message) from None


def parse_environment(node: Node) -> tuple[str, tuple[str, ...] | None]:
    """An environment entry: its name, and its tags when the entry is a mapping (None: keep what it has)."""
    if not isinstance(node.value, dict):
        return validate_name(node.string(), field=node.path), None
    m = node.mapping(ENVIRONMENT_KEYS, {"name"})
    return validate_name(m["name"].string(), field=m["name"].path), parse_tags(m["tags"]) if "tags" in m else ()


def environment_entries(names: Sequence[str], tags: Mapping[str, Sequence[str]]) -> list[object]:
    """The `environments:` section as exported: a name alone, or `{name, tags}` for one that has tags."""
    return [{"name": name, "tags": list(tags[name])} if tags.get(name) else name for name in names]
