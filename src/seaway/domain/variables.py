"""Variables: named values, scoped to where they apply, resolved to one winner per name.

A variable name may have several values, each with its own `Scope`. Names (of variables and of the
environments, roles, targets, steps, channels and tenants a scope lists) compare case-insensitively,
like every other entity name in Seaway. Sensitive values are plaintext here; the store encrypts them
at rest and logs mask them.

A value *applies* in a context when, for every dimension it is scoped on, the context matches one of
the listed names (for roles: the target has at least one of the listed roles). An empty dimension
places no restriction; a scoped dimension the context does not have (no step, say) does not match.

Among the values of one name that apply, the most specific wins. Seaway follows Octopus Deploy's
published precedence (documentation "Variables → Scope specificity", and the rank function in the
Octopus blog post "Variable specificity and complexity"), most specific first:

    step  >  target (machine)  >  role  >  tenant  >  environment  >  channel  >  unscoped

The rank is lexicographic over that list, like Octopus's power-of-ten score: being scoped on a higher
dimension outweighs any number of lower ones, so a step-scoped value beats a value scoped on
target + role + environment. Adding a dimension to a scope always makes it more specific, and any
explicit scope beats an unscoped value. How many names a dimension lists does not count (Octopus
does not count them either). Octopus leaves equal ranks undefined; Seaway lets the value defined
first win (see `resolve`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from seaway.errors import InvalidInput

SCOPE_KEYS: Mapping[str, str] = {
    "environments": "environment",
    "roles": "role",
    "targets": "target",
    "steps": "step",
    "channels": "channel",
    "tenants": "tenant",
}
"""The dimensions of a `Scope` as its fields are named, each with its singular spelling: documents and the API
accept either key, the API answers with the singular one and the store keeps the plural one."""


@dataclass(frozen=True)
class Scope:
    environments: frozenset[str] = frozenset()  # environment names
    roles: frozenset[str] = frozenset()  # target roles
    targets: frozenset[str] = frozenset()  # target (machine) names
    steps: frozenset[str] = frozenset()  # step names
    channels: frozenset[str] = frozenset()
    tenants: frozenset[str] = frozenset()

    def is_unscoped(self) -> bool:
        return not any(getattr(self, key) for key in SCOPE_KEYS)


@dataclass(frozen=True)
class ScopeContext:
    """Where a value is being evaluated: one deployment step on one target."""

    environment: str | None = None
    roles: frozenset[str] = frozenset()
    target: str | None = None
    step: str | None = None
    channel: str | None = None
    tenant: str | None = None


Specificity = tuple[bool, bool, bool, bool, bool, bool]


def specificity(scope: Scope) -> Specificity:
    """The rank of a scope: which dimensions it is scoped on, most specific dimension first.

    Tuples compare lexicographically, which is Octopus's precedence (see the module docstring):
    step, then target, then role, then tenant, then environment, then channel. An unscoped value
    ranks lowest of all.
    """
    return (
        bool(scope.steps),
        bool(scope.targets),
        bool(scope.roles),
        bool(scope.tenants),
        bool(scope.environments),
        bool(scope.channels),
    )


def scope_applies(scope: Scope, context: ScopeContext) -> bool:
    """True when every dimension the scope restricts is matched by the context."""
    return (
        _matches(scope.environments, context.environment)
        and _matches(scope.targets, context.target)
        and _matches(scope.steps, context.step)
        and _matches(scope.channels, context.channel)
        and _matches(scope.tenants, context.tenant)
        and _intersects(scope.roles, context.roles)
    )


def _matches(allowed: frozenset[str], actual: str | None) -> bool:
    if not allowed:
        return True
    # A value scoped to a step never applies outside any step (and so on): no context, no match.
    if actual is None:
        return False
    wanted = actual.lower()
    return any(name.lower() == wanted for name in allowed)


def _intersects(allowed: frozenset[str], actual: frozenset[str]) -> bool:
    if not allowed:
        return True
    have = {role.lower() for role in actual}
    return any(name.lower() in have for name in allowed)


@dataclass(frozen=True)
class Prompt:
    """Asks the deployer for the value when a deployment is created."""

    label: str
    description: str = ""
    required: bool = False


@dataclass(frozen=True)
class Variable:
    name: str
    value: str  # plaintext in the domain; the store encrypts sensitive values
    scope: Scope = Scope()
    sensitive: bool = False
    prompt: Prompt | None = None


def applies(variable: Variable, context: ScopeContext) -> bool:
    return scope_applies(variable.scope, context)


def resolve(variables: Iterable[Variable], context: ScopeContext) -> dict[str, Variable]:
    """The winning value of each name in `context`; names with no applicable value are left out.

    The most specific applicable value wins. On equal specificity the value defined first wins:
    Octopus leaves that case undefined, and "first wins" is what lets `combine` give project
    variables precedence over library variable sets. Each key is the name as first defined, in order
    of first definition, whichever value wins.
    """
    spelling: dict[str, str] = {}
    best: dict[str, tuple[Specificity, Variable]] = {}
    for variable in variables:
        folded = variable.name.lower()
        spelling.setdefault(folded, variable.name)
        if not applies(variable, context):
            continue
        rank = specificity(variable.scope)
        current = best.get(folded)
        if current is None or rank > current[0]:
            best[folded] = (rank, variable)
    return {name: best[folded][1] for folded, name in spelling.items() if folded in best}


def combine(project: Sequence[Variable], library_sets: Sequence[Sequence[Variable]]) -> tuple[Variable, ...]:
    """Project variables followed by the included library variable sets, in include order.

    Because `resolve` lets the earlier definition win a tie, a project value beats a library value of
    the same specificity, and an earlier-included set beats a later one. A more specific library
    value still beats a less specific project value, as in Octopus.
    """
    combined = list(project)
    for library_set in library_sets:
        combined.extend(library_set)
    return tuple(combined)


def apply_prompted(variables: Sequence[Variable], supplied: Mapping[str, str]) -> tuple[Variable, ...]:
    """Give prompted variables the values the deployer supplied; the variable's value is the default.

    Supplied names match case-insensitively and apply to every prompted value of that name. A
    required prompt must end up non-empty, so an empty supplied value does not satisfy it either.
    """
    prompted = {variable.name.lower() for variable in variables if variable.prompt is not None}
    values: dict[str, str] = {}
    for name, value in supplied.items():
        folded = name.lower()
        if folded not in prompted:
            raise InvalidInput(f"{name!r} is not a prompted variable of this project", field=f"variables.{name}")
        if folded in values:
            raise InvalidInput(f"a value for {name!r} is supplied more than once", field=f"variables.{name}")
        values[folded] = value

    result: list[Variable] = []
    for variable in variables:
        if variable.prompt is None:
            result.append(variable)
            continue
        value = values.get(variable.name.lower(), variable.value)
        if variable.prompt.required and not value:
            raise InvalidInput(
                f"prompted variable {variable.name!r} (label {variable.prompt.label!r}) is required: "
                "no value was supplied and it has no default",
                field=f"variables.{variable.name}",
            )
        result.append(variable if value == variable.value else replace(variable, value=value))
    return tuple(result)


def sensitive_values(variables: Iterable[Variable]) -> frozenset[str]:
    """The values to mask in logs. Empty values are left out: there is nothing to hide."""
    return frozenset(variable.value for variable in variables if variable.sensitive and variable.value)
