"""The top-level `freezes:` section of the config document (and the API body of the same shape).

freezes:
  - name: Year end
    description: Nothing ships over the holidays
    scope: {environments: [Prod]}                 # and/or projects: [...], tags: [...]; empty = everything
    start: "2026-12-20T00:00:00Z"                 # ISO 8601 with an offset
    end: "2027-01-03T00:00:00Z"
"""

from __future__ import annotations

from seaway.config.change_window_documents import written_text
from seaway.config.reader import Node
from seaway.config.tag_documents import parse_tags
from seaway.domain.change_windows import parse_instant
from seaway.domain.environments import validate_name
from seaway.domain.freezes import Freeze, validate_freeze

FREEZE_KEYS = {"name", "description", "scope", "start", "end"}
SCOPE_KEYS = {"projects", "environments", "tags"}


def parse_freezes(node: Node) -> tuple[tuple[Freeze, str], ...]:
    parsed = tuple((parse_freeze(n), n.path) for n in node.items())
    seen: set[str] = set()
    for freeze, path in parsed:
        if freeze.name.lower() in seen:
            raise Node(None, f"{path}.name").fail(f'the freeze "{freeze.name}" is listed twice')
        seen.add(freeze.name.lower())
    return parsed


def _names(node: Node) -> tuple[str, ...]:
    items = [node] if isinstance(node.value, str) else list(node.items())
    return tuple(validate_name(n.string(), field=n.path) for n in items)


def parse_freeze(node: Node) -> Freeze:
    m = node.mapping(FREEZE_KEYS, {"name", "start", "end"})
    scope = m["scope"].mapping(SCOPE_KEYS) if "scope" in m else {}
    freeze = Freeze(
        name=validate_name(m["name"].string(), field=m["name"].path),
        description=m["description"].string(allow_empty=True) if "description" in m else "",
        projects=_names(scope["projects"]) if "projects" in scope else (),
        environments=_names(scope["environments"]) if "environments" in scope else (),
        tags=parse_tags(scope["tags"]) if "tags" in scope else (),
        start=parse_instant(written_text(m["start"]), field=m["start"].path),
        end=parse_instant(written_text(m["end"]), field=m["end"].path),
    )
    return validate_freeze(freeze, path=node.path)
