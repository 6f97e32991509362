"""Freezes: date ranges inside which no deployment in scope starts, gated by a policy or not.

A freeze's scope names projects, environments and tags (empty: every one), matched as an approval policy's
is (`domain/scopes.py`). A person with
`freeze.override` may let one deployment through, with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.scopes import in_scope
from seaway.errors import InvalidInput

MAX_REASON = 4000


@dataclass(frozen=True)
class Freeze:
    name: str
    start: datetime  # aware; the freeze holds from `start` up to (not including) `end`
    end: datetime
    description: str = ""
    projects: tuple[str, ...] = ()  # scope; empty: every project
    environments: tuple[str, ...] = ()  # scope; empty: every environment
    id: int | None = None
    tags: tuple[str, ...] = ()  # scope: the project or the environment carries one of them; empty: any


def covers_deployment(
    freeze: Freeze,
    project: str,
    environment: str,
    project_tags: Sequence[str] = (),
    environment_tags: Sequence[str] = (),
) -> bool:
    scope = (freeze.projects, freeze.environments, freeze.tags)
    return in_scope(*scope, project, environment, project_tags, environment_tags)


def in_force(freeze: Freeze, now: datetime) -> bool:
    return freeze.start <= now < freeze.end


def holding(
    freezes: Iterable[Freeze],
    project: str,
    environment: str,
    now: datetime,
    project_tags: Sequence[str] = (),
    environment_tags: Sequence[str] = (),
) -> Freeze | None:
    """The freeze that holds a deployment of `project` to `environment` (carrying those tags) now, the one
    that ends last when several do (waiting for it waits for them all); None when none does."""
    tags = (project_tags, environment_tags)
    found = [f for f in freezes if in_force(f, now) and covers_deployment(f, project, environment, *tags)]
    return max(found, key=lambda f: (f.end, f.name.lower())) if found else None


def validate_freeze(freeze: Freeze, *, path: str = "") -> Freeze:
    prefix = f"{path}." if path else ""
    if not freeze.name.strip():
        raise InvalidInput("a freeze needs a name", field=f"{prefix}name")
    if freeze.end <= freeze.start:
        raise InvalidInput("a freeze must end after it starts", field=f"{prefix}end")
    return freeze


def validate_override_reason(reason: object) -> str:
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidInput("a reason is required to override a freeze", field="reason")
    if len(text) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters", field="reason")
    return text
