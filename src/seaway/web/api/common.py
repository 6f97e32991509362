"""Helpers shared by the API modules: a project by its id or its name (the engine's own lookup)."""

from __future__ import annotations

from seaway.engine.projects import find_project

__all__ = ["find_project"]
