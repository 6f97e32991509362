"""Whether a deployment is inside a scope of projects, environments and tags: the one rule approval policies
and freezes share. Each dimension given must match and an empty one matches everything; names compare
case-insensitively; tags match when the project or the environment carries one of them (`domain/tags.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from seaway.domain.tags import carries_any


def covers(scope: Sequence[str], value: str) -> bool:
    return not scope or value.lower() in {s.lower() for s in scope}


def in_scope(
    projects: Sequence[str],
    environments: Sequence[str],
    tags: Sequence[str],
    project: str,
    environment: str,
    project_tags: Sequence[str] = (),
    environment_tags: Sequence[str] = (),
) -> bool:
    return (
        covers(projects, project)
        and covers(environments, environment)
        and carries_any(tags, project_tags, environment_tags)
    )


class Scoped(Protocol):
    """What carries a scope: an approval policy, a freeze."""

    @property
    def projects(self) -> Sequence[str]: ...
    @property
    def environments(self) -> Sequence[str]: ...
    @property
    def tags(self) -> Sequence[str]: ...


def scope_to_json(scoped: Scoped) -> dict[str, list[str]]:
    """A scope as the API shows it, audit events compare it and the export writes it."""
    return {"projects": list(scoped.projects), "environments": list(scoped.environments), "tags": list(scoped.tags)}
