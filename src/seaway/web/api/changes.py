"""Audit events for what the API changes: `<kind>.created|updated|deleted` with the fields that changed.

An object is compared as fields (`Fields`): its representation, or for a process and a set of variables one
field per step and per variable. Sensitive variables are compared by their stored values and recorded only
as "changed", never with a value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi import Request

from seaway.domain.actors import Actor
from seaway.domain.diffs import field_changes
from seaway.domain.ids import format_id
from seaway.domain.process import Step
from seaway.domain.users import User
from seaway.domain.variables import SCOPE_KEYS, Variable
from seaway.engine.audit_trail import event_of
from seaway.store.scopes import Where
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.representations import step_json, variable_json
from seaway.web.clients import api_actor
from seaway.web.deps import services_of


@dataclass(frozen=True)
class Fields:
    """An object as the audit log compares it; `sensitive` names the fields whose values are never shown."""

    values: Mapping[str, object]
    sensitive: frozenset[str] = field(default_factory=frozenset)


def plain(values: Mapping[str, Any]) -> Fields:
    return Fields(values)


def process_fields(steps: Sequence[Step]) -> Fields:
    """The order of the steps, and each step under its name."""
    values: dict[str, object] = {"steps": [step.name for step in steps]}
    values.update({f"step {step.name}": step_json(step) for step in steps})
    return Fields(values)


def variable_key(variable: Variable) -> str:
    """`App Port` or `App Port [environment: Dev]`: a variable's name with its scope, which together name it."""
    scope = "; ".join(
        f"{name}: {', '.join(sorted(getattr(variable.scope, attr)))}"
        for attr, name in SCOPE_KEYS.items()
        if getattr(variable.scope, attr)
    )
    return f"{variable.name} [{scope}]" if scope else variable.name


def variable_fields(variables: Sequence[Variable]) -> Fields:
    """One field per variable, with its stored value (a sensitive one too: compared, never recorded)."""
    values: dict[str, object] = {}
    sensitive = set()
    for variable in variables:
        key = f"variable {variable_key(variable)}"
        while key in values:  # the same name and scope twice: both are kept, in order
            key += " (again)"
        values[key] = {**variable_json(variable), "value": variable.value}
        if variable.sensitive:
            sensitive.add(key)
    return Fields(values, frozenset(sensitive))


def changes(before: Fields | None, after: Fields | None) -> dict[str, object]:
    sensitive = (before.sensitive if before else frozenset()) | (after.sensitive if after else frozenset())
    return field_changes(before.values if before else None, after.values if after else None, sensitive=sensitive)


async def record_change(
    uow: UnitOfWork,
    actor: Actor,
    *,
    now: datetime,
    action: str,
    entity: str,
    entity_id: str,
    before: Fields | None,
    after: Fields | None,
    project: str | None = None,
    environment: str | None = None,
) -> None:
    """One event for one change, in the transaction that makes it."""
    details = {"changes": changes(before, after)}
    await uow.audit.record(event_of(actor, now, action, entity_id, details, Where(project, environment), entity))


async def record_request_change(
    request: Request,
    uow: UnitOfWork,
    user: User,
    *,
    action: str,
    kind: str,
    number: int | None,
    before: Fields | None,
    after: Fields | None,
    project: str | None = None,
) -> None:
    """`record_change` for a change `user` asked for in `request`, to the `kind` numbered `number`, now."""
    await record_change(
        uow,
        api_actor(request, user),
        now=services_of(request).clock.now(),
        action=action,
        entity=kind,
        entity_id=format_id(kind, number),
        before=before,
        after=after,
        project=project,
    )
