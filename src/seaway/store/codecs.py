"""Domain objects to and from the JSON stored in the database.

Sensitive variable values pass through a `Cipher` on the way in and out, so plaintext never reaches a
row. The cipher is injected (the master key lives in the security package).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from seaway.domain.lifecycles import Phase
from seaway.domain.process import EnvironmentCondition, RunCondition, StartTrigger, Step, StepType
from seaway.domain.prompts import prompt_from_json, prompt_to_json
from seaway.domain.targeting import Connectivity
from seaway.domain.users import TeamRole
from seaway.domain.variables import Scope, Variable


class Cipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, stored: str) -> str: ...


class PlainCipher:
    """For stores that keep no sensitive values (and tests of the codec itself)."""

    def encrypt(self, plaintext: str) -> str:
        return plaintext

    def decrypt(self, stored: str) -> str:
        return stored


_SCOPE_KEYS = ("environments", "roles", "targets", "steps", "channels", "tenants")


def scope_to_json(scope: Scope) -> dict[str, list[str]]:
    return {key: sorted(getattr(scope, key)) for key in _SCOPE_KEYS if getattr(scope, key)}


def scope_from_json(data: Mapping[str, Iterable[str]]) -> Scope:
    return Scope(**{key: frozenset(data.get(key, ())) for key in _SCOPE_KEYS})


def variable_to_json(variable: Variable, cipher: Cipher) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": variable.name,
        "value": cipher.encrypt(variable.value) if variable.sensitive else variable.value,
        "scope": scope_to_json(variable.scope),
        "sensitive": variable.sensitive,
    }
    if variable.prompt is not None:
        data["prompt"] = prompt_to_json(variable.prompt)
    return data


def variable_from_json(data: Mapping[str, Any], cipher: Cipher) -> Variable:
    prompt = data.get("prompt")
    sensitive = bool(data.get("sensitive", False))
    value = str(data.get("value", ""))
    return Variable(
        name=data["name"],
        value=cipher.decrypt(value) if sensitive else value,
        scope=scope_from_json(data.get("scope", {})),
        sensitive=sensitive,
        prompt=prompt_from_json(prompt) if prompt else None,
    )


def variables_to_json(variables: Iterable[Variable], cipher: Cipher) -> list[dict[str, Any]]:
    return [variable_to_json(v, cipher) for v in variables]


def variables_from_json(data: Iterable[Mapping[str, Any]], cipher: Cipher) -> tuple[Variable, ...]:
    return tuple(variable_from_json(v, cipher) for v in data)


def connectivity_to_json(connectivity: Connectivity) -> dict[str, Any]:
    return dataclasses.asdict(connectivity)


def connectivity_from_json(data: Mapping[str, Any] | None) -> Connectivity:
    known = {f.name for f in dataclasses.fields(Connectivity)}
    return Connectivity(**{k: bool(v) for k, v in (data or {}).items() if k in known})


def step_to_json(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": step.name,
        "type": str(step.type),
        "properties": dict(step.properties),
        "enabled": step.enabled,
        "required": step.required,
        "environments": {"only": list(step.environments.only), "skip": list(step.environments.skip)},
        "run_condition": str(step.run_condition),
        "condition_expression": step.condition_expression,
        "start": str(step.start),
    }
    if step.children:
        data["children"] = [step_to_json(child) for child in step.children]
    return data


def step_from_json(data: Mapping[str, Any]) -> Step:
    envs = data.get("environments", {})
    return Step(
        name=data["name"],
        type=StepType(data["type"]),
        properties=dict(data.get("properties", {})),
        enabled=bool(data.get("enabled", True)),
        required=bool(data.get("required", False)),
        environments=EnvironmentCondition(tuple(envs.get("only", ())), tuple(envs.get("skip", ()))),
        run_condition=RunCondition(data.get("run_condition", "success")),
        condition_expression=data.get("condition_expression"),
        start=StartTrigger(data.get("start", "after-previous")),
        children=tuple(step_from_json(child) for child in data.get("children", ())),
    )


def process_to_json(steps: Iterable[Step]) -> list[dict[str, Any]]:
    return [step_to_json(s) for s in steps]


def process_from_json(data: Iterable[Mapping[str, Any]]) -> tuple[Step, ...]:
    return tuple(step_from_json(s) for s in data)


def phase_to_json(phase: Phase) -> dict[str, Any]:
    return {
        "name": phase.name,
        "environments": list(phase.environments),
        "optional": phase.optional,
        "minimum": phase.minimum,
        "automatic": list(phase.automatic),
    }


def phase_from_json(data: Mapping[str, Any]) -> Phase:
    return Phase(
        name=data["name"],
        environments=tuple(data["environments"]),
        optional=bool(data.get("optional", False)),
        minimum=data.get("minimum"),
        automatic=tuple(data.get("automatic", ())),
    )


def role_to_json(role: TeamRole) -> dict[str, Any]:
    return {"role": role.role, "environments": list(role.environments), "projects": list(role.projects)}


def role_from_json(data: Mapping[str, Any]) -> TeamRole:
    return TeamRole(data["role"], tuple(data.get("environments", ())), tuple(data.get("projects", ())))
