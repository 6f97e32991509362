"""Request bodies: pydantic models that check the shape, name the bad field and publish the OpenAPI schema.

`Body` is the base of every JSON request model: unknown fields and NUL characters are refused, naming the
field. `DocumentBody` is a body in the config document's shape (a team, a project, a variable): it is read
as leniently as the YAML reader reads it (`value: 8081` is the text "8081"), then turned into domain
objects by that same reader, so the API and `seaway apply` accept the same things with the same rules.
`JsonRoute` reads every body of a router as JSON and refuses one that is not, as a 400 naming `body`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator
from pydantic.config import JsonDict, JsonValue

from seaway.config.reader import Node
from seaway.domain.ids import MAX_ID
from seaway.domain.variables import SCOPE_KEYS


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(item) for item in value)
    return False


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        # PostgreSQL cannot store NUL in text, and SQLite would keep it: refuse it everywhere alike.
        if _has_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


class DocumentBody(Body):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    def node(self, path: str = "") -> Node:
        """The body as the config reader sees it: the fields that were sent, a null one as if left out."""
        return Node(self.model_dump(exclude_unset=True, exclude_none=True), path)


# One name alone stands for a list of one, as in the config document.
Names = list[str] | str | None


class PhaseBody(DocumentBody):
    name: str
    environments: Names
    optional: StrictBool = False
    minimum: StrictInt | None = Field(None, ge=0, le=MAX_ID, description="left out: all environments of the phase")
    automatic: StrictBool | Names = Field(False, description="true: every environment of the phase; or some")


class LifecycleBody(DocumentBody):
    name: str
    phases: list[PhaseBody]


class UserBody(DocumentBody):
    username: str
    display_name: str = ""
    email: str | None = Field(None, description="left out: no address")
    admin: StrictBool = False
    active: StrictBool = True
    service_account: StrictBool = Field(False, description="signs in with API keys only, never with a password")


class TeamRoleBody(DocumentBody):
    role: str
    environments: Names = Field(default_factory=list, description="names (one name alone is a list of one)")
    projects: Names = Field(default_factory=list, description="names (one name alone is a list of one)")


class TeamBody(DocumentBody):
    name: str
    members: Names = Field(default_factory=list, description="usernames")
    roles: list[TeamRoleBody] = Field(default_factory=list)


class PromptBody(DocumentBody):
    label: str | None = Field(None, description="left out: the variable's name")
    description: str = ""
    required: StrictBool = False


def _scope_keys(schema: JsonDict) -> None:
    keys: list[JsonValue] = [*sorted([*SCOPE_KEYS, *SCOPE_KEYS.values()])]
    schema["propertyNames"] = {"enum": keys}


class VariableBody(DocumentBody):
    name: str
    value: str | None = Field(None, description="null or left out for a sensitive value: keep the stored one")
    scope: dict[str, Names] = Field(
        default_factory=dict, description="where the value applies", json_schema_extra=_scope_keys
    )
    sensitive: StrictBool = False
    prompt: PromptBody | None = Field(None, description="ask the deployer for the value")


STEPS = "steps in the config document's shape: name, type and the type's properties"


class ConnectivityBody(DocumentBody):
    allow_no_targets: StrictBool = Field(False, description="a step that matches no target is skipped, not failed")
    exclude_unhealthy: StrictBool = Field(False, description="leave out targets last found Unhealthy")
    skip_unavailable: StrictBool = Field(False, description="leave out targets that cannot be reached")


class ProjectBody(DocumentBody):
    name: str
    lifecycle: str | None = Field(None, description="left out: the default lifecycle")
    description: str = ""
    process: list[dict[str, Any]] = Field(default_factory=list, description=STEPS)
    variables: list[VariableBody] = Field(default_factory=list)
    include: Names = Field(default_factory=list, description="library variable set names")
    connectivity: ConnectivityBody | None = Field(None, description="left out: every switch off")
    tags: Names = Field(default_factory=list, description="what approval policies may be scoped on")


class ProcessBody(DocumentBody):
    steps: list[dict[str, Any]] = Field(description=STEPS)


class VariablesBody(DocumentBody):
    variables: list[VariableBody]


class _JsonRequest(Request):
    async def json(self) -> Any:
        # FastAPI turns only a JSONDecodeError into a 400 naming the body: too deep a document or bad
        # UTF-8 is not valid JSON either, and must be refused the same way rather than as "http_error".
        if not hasattr(self, "_json"):
            raw = await self.body()
            try:
                self._json = json.loads(raw)
            except (ValueError, RecursionError) as exc:
                raise json.JSONDecodeError(str(exc), raw.decode(errors="replace"), 0) from None
        return self._json


class JsonRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            return await handler(_JsonRequest(request.scope, request.receive))

        return handle
