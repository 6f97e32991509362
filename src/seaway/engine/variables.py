"""The variables a step sees: the release's project variables resolved for this step, prompted values,
system variables and the output variables of earlier steps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from seaway.domain.process import Step
from seaway.domain.system_variables import DeploymentFacts, StepStatus, deployment_variables, step_variables
from seaway.domain.variables import ScopeContext, Variable, resolve


def step_scope(environment: str, step: Step | None) -> ScopeContext:
    roles = frozenset(step.prop("roles", ()) or ()) if step is not None else frozenset()
    return ScopeContext(environment=environment, step=step.name if step else None, roles=roles)


def variables_for_step(
    project_variables: Sequence[Variable],
    facts: DeploymentFacts,
    steps: Sequence[StepStatus],
    step: Step | None,
    current: StepStatus | None,
) -> dict[str, str]:
    resolved = resolve(project_variables, step_scope(facts.environment_name, step))
    values: dict[str, str] = {name: variable.value for name, variable in resolved.items()}
    # System variables win over project variables of the same name: they describe what is really happening.
    values.update(deployment_variables(facts))
    values.update(step_variables(steps, current))
    return values


def truthy(value: str) -> bool:
    """Octopus's truthiness for run conditions: empty, "false", "0" and "no" are false."""
    return value.strip().lower() not in ("", "false", "0", "no", "off")


def flag(values: Mapping[str, str], name: str) -> bool:
    lowered = name.lower()
    return any(truthy(v) for k, v in values.items() if k.lower() == lowered)
