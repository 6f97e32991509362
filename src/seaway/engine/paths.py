"""Where in the input a value sits: `field` of one document path, or the field alone at the top."""

from __future__ import annotations


def at(path: str, field: str) -> str:
    """`projects[0]` + `lifecycle` → `projects[0].lifecycle`; an index (`[2]`) joins without a dot."""
    if not path:
        return field
    return f"{path}{field}" if field.startswith("[") else f"{path}.{field}"
