"""The variables a step sees: the release's project variables resolved for this step, prompted values,
system variables and the output variables of earlier steps."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.masking import MASK, Masker
from seaway.domain.process import Step
from seaway.domain.system_variables import (
    EXCLUDED_MACHINES,
    DeploymentFacts,
    MachineRun,
    StepStatus,
    deployment_variables,
    machine_variables,
    step_variables,
)
from seaway.domain.targets import DeploymentTarget
from seaway.domain.templates import EvaluationResult, VariableSet, evaluate_with_errors, is_truthy
from seaway.domain.variables import ScopeContext, Variable, resolve, sensitive_values

SHOULD_FAIL_ON_SUBSTITUTION = "OctopusShouldFailDeploymentOnSubstitutionFails"
PRINT_VARIABLES = "OctopusPrintVariables"


def step_scope(environment: str, step: Step | None) -> ScopeContext:
    roles = frozenset(step.prop("roles", ()) or ()) if step is not None else frozenset()
    return ScopeContext(environment=environment, step=step.name if step else None, roles=roles)


def machine_scope(environment: str, step: Step | None, target: DeploymentTarget) -> ScopeContext:
    """On a target, role-scoped values follow the target's own roles (not the step's), as in Octopus."""
    return ScopeContext(
        environment=environment,
        step=step.name if step else None,
        target=target.name,
        roles=frozenset(target.roles),
    )


def variables_for_step(
    project_variables: Sequence[Variable],
    facts: DeploymentFacts,
    steps: Sequence[StepStatus],
    step: Step | None,
    current: StepStatus | None,
    machine: MachineRun | None = None,
) -> dict[str, str]:
    """The step's variables; with `machine`, as that target sees them: values scoped to it or its roles
    apply, by the usual specificity, and the `Octopus.Machine.*` variables are added."""
    scope = (
        machine_scope(facts.environment_name, step, machine.target)
        if machine is not None
        else step_scope(facts.environment_name, step)
    )
    resolved = resolve(project_variables, scope)
    values: dict[str, str] = {name: variable.value for name, variable in resolved.items()}
    # System variables win over project variables of the same name: they describe what is really happening.
    values.update(deployment_variables(facts))
    values.update(step_variables(steps, current))
    if machine is not None:
        earlier = [n for n in values.get(EXCLUDED_MACHINES, "").split(",") if n]
        excluded = [*earlier, *(n for n in machine.excluded if n not in earlier)]
        values.update(machine_variables(machine.target, machine.in_step, excluded))
    return values


# System variables about earlier releases and deployments; loading them costs three queries per advance.
_PREVIOUS_FACTS = ("octopus.release.previous", "octopus.deployment.previoussuccessful")


def refers_to_previous(variables: Sequence[Variable], process: Sequence[Step]) -> bool:
    """Whether anything a deployment evaluates could name an earlier release or deployment: a variable's
    value, a step's properties or run condition, or printing every variable. Names are case-insensitive."""
    if any(v.name.lower() == PRINT_VARIABLES.lower() for v in variables):
        return True
    texts = [v.value for v in variables]
    steps = [*process, *(child for step in process for child in step.children)]
    texts += [repr(step.properties) + (step.condition_expression or "") for step in steps]
    return any(fact in text.lower() for text in texts for fact in _PREVIOUS_FACTS)


def flag(values: Mapping[str, str], name: str) -> bool:
    """A switch variable such as `OctopusPrintVariables`, by Octopus's truthiness (names ignore case)."""
    lowered = name.lower()
    return any(is_truthy(v) for k, v in values.items() if k.lower() == lowered)


class StepRenderer:
    """Substitutes templates for one step: the variable set is bound once; template errors and unresolved
    expressions are written to the log, and with `OctopusShouldFailDeploymentOnSubstitutionFails` they fail
    the step instead."""

    def __init__(self, values: Mapping[str, str], warn: Callable[[str], None], now: datetime) -> None:
        self.variables = VariableSet(values)
        self.fail_on_unresolved = flag(values, SHOULD_FAIL_ON_SUBSTITUTION)
        self.warn = warn
        self.now = now

    def __call__(self, template: str, field: str = "template") -> str:
        result = self._evaluate(template, field, halt_on_error=True)
        if result.error and not result.unresolved:
            # The template does not parse: report exactly why, then substitute what can be (lenient parsing).
            self.warn(f"{field}: {result.error}")
            result = self._evaluate(template, field, halt_on_error=False)
        elif result.error:
            self.warn(f"{field}: {result.error}")
        return result.text or ""

    def _evaluate(self, template: str, field: str, *, halt_on_error: bool) -> EvaluationResult:
        return evaluate_with_errors(
            template,
            self.variables,
            halt_on_error=halt_on_error,
            fail_on_unresolved=self.fail_on_unresolved,
            now=self.now,
            field=field,
        )

    def truthy(self, template: str) -> bool:
        result = evaluate_with_errors(template, self.variables, now=self.now, field="run_condition")
        if result.error:
            self.warn(f"run condition: {result.error}")
            return False
        return result.text is not None and is_truthy(result.text)


@dataclass(frozen=True)
class PreviewedVariable:
    name: str
    value: str  # as stored (sensitive: masked)
    evaluated: str  # after substitution (sensitive values masked)
    error: str | None
    sensitive: bool


def preview(
    variables: Sequence[Variable],
    *,
    project_name: str,
    environment: str,
    step: Step | None,
    now: datetime,
) -> list[PreviewedVariable]:
    """What each variable resolves to for one environment (and step): the question users ask most."""
    resolved = resolve(variables, step_scope(environment, step))
    values = {name: v.value for name, v in resolved.items()}
    values.update({"Octopus.Project.Name": project_name, "Octopus.Environment.Name": environment})
    if step is not None:
        values.update({"Octopus.Step.Name": step.name, "Octopus.Action.Name": step.name})
    masker = Masker(sensitive_values(resolved.values()))
    bound = VariableSet(values)
    result = []
    for name in sorted(resolved, key=str.lower):
        variable = resolved[name]
        outcome = evaluate_with_errors(variable.value, bound, now=now, field=name)
        result.append(
            PreviewedVariable(
                name=name,
                value=MASK if variable.sensitive else variable.value,
                evaluated=masker.mask(outcome.text or ""),
                error=outcome.error,
                sensitive=variable.sensitive,
            )
        )
    return result
