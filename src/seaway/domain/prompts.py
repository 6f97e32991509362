"""A prompted variable's prompt as JSON: one shape for the stored release and the API alike."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from seaway.domain.variables import Prompt


class PromptJson(TypedDict):
    label: str
    description: str
    required: bool


def prompt_to_json(prompt: Prompt) -> PromptJson:
    return {"label": prompt.label, "description": prompt.description, "required": prompt.required}


def prompt_from_json(data: Mapping[str, object]) -> Prompt:
    """`description` and `required` may be missing (rows written before they were)."""
    return Prompt(str(data["label"]), str(data.get("description", "")), bool(data.get("required", False)))
