"""Octopus's request bodies: keys bound case-insensitively (`ProjectName`, `projectName`), unknown keys
ignored, each value checked with an error that names its key."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from seaway.errors import InvalidInput, InvalidJson


class OctopusBody:
    def __init__(self, data: dict[str, Any]) -> None:
        self._values = {key.lower(): (key, value) for key, value in data.items()}

    def _get(self, name: str) -> tuple[str, Any] | None:
        found = self._values.get(name.lower())
        return None if found is None or found[1] is None else found

    def string(self, name: str, *, required: bool = False) -> str | None:
        found = self._get(name)
        if found is None or (isinstance(found[1], str) and not found[1].strip()):
            if required:
                raise InvalidInput(f"{name} is required", field=name)
            return None
        if not isinstance(found[1], str):
            raise InvalidInput(f"{name} must be a string", field=name)
        return found[1].strip()

    def strings(self, name: str) -> list[str]:
        found = self._get(name)
        if found is None:
            return []
        if not isinstance(found[1], list) or not all(isinstance(v, str) for v in found[1]):
            raise InvalidInput(f"{name} must be a list of strings", field=name)
        return [v for v in found[1] if v.strip()]

    def flag(self, name: str) -> bool:
        found = self._get(name)
        if found is None:
            return False
        if not isinstance(found[1], bool):
            raise InvalidInput(f"{name} must be true or false", field=name)
        return found[1]

    def mapping(self, name: str) -> dict[str, str]:
        found = self._get(name)
        if found is None:
            return {}
        if not isinstance(found[1], dict) or not all(isinstance(v, str) for v in found[1].values()):
            raise InvalidInput(f"{name} must be an object of strings", field=name)
        return dict(found[1])


async def octopus_body(request: Request) -> OctopusBody:
    raw = await request.body()
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise InvalidJson("the request body is not valid JSON", field="body") from None
    if not isinstance(data, dict):
        raise InvalidInput("the request body must be a JSON object", field="body")
    return OctopusBody(data)
