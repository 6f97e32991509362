"""Freezes: date ranges inside which no deployment in scope starts, gated by a policy or not.

A freeze's scope names projects and environments (empty: every one). `in_scope` is the one place a
deployment is matched against a scope, so scoping by tags later changes only it. A person with
`freeze.override` may let one deployment through, with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

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


def _covers(scope: Sequence[str], value: str) -> bool:
    return not scope or value.lower() in {s.lower() for s in scope}


def in_scope(freeze: Freeze, project: str, environment: str) -> bool:
    return _covers(freeze.projects, project) and _covers(freeze.environments, environment)


def in_force(freeze: Freeze, now: datetime) -> bool:
    return freeze.start <= now < freeze.end


def holding(freezes: Iterable[Freeze], project: str, environment: str, now: datetime) -> Freeze | None:
    """The freeze that holds a deployment of `project` to `environment` now, the one that ends last when
    several do (waiting for it waits for them all); None when none does."""
    found = [f for f in freezes if in_force(f, now) and in_scope(f, project, environment)]
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
