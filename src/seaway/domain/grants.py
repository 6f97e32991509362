"""A grant: what one team role gives its members, and where. Users carry theirs, resolved at sign-in."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Grant:
    role: str  # the role's slug or custom name, as the team names it
    team: str  # the team the grant comes through (for "why may I?")
    permissions: frozenset[str]  # Permission values
    projects: frozenset[str] = frozenset()  # lower-cased names; empty: every project
    environments: frozenset[str] = frozenset()  # lower-cased names; empty: every environment
