"""Lifecycles: phases that decide where a release may be deployed next.

A phase lists environments. It is complete when all of them (or `minimum` of them) have a successful
deployment of the release; an optional phase never holds back the next one. A release may be deployed
to an environment of phase N once every earlier non-optional phase is complete. The same rule is what
Octopus users know: with an optional Dev phase, a release may go straight to Test, but Prod only after Test.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from seaway.errors import InvalidInput


@dataclass(frozen=True)
class Phase:
    name: str
    environments: tuple[str, ...]
    optional: bool = False
    minimum: int | None = None  # None: all environments of the phase
    automatic: tuple[str, ...] = ()  # environments deployed automatically on entering the phase

    def required_count(self) -> int:
        if self.optional:
            return 0
        if self.minimum is None:
            return len(self.environments)
        return min(self.minimum, len(self.environments))

    def is_complete(self, succeeded: Collection[str]) -> bool:
        done = sum(1 for env in self.environments if _contains(succeeded, env))
        return done >= self.required_count()


@dataclass(frozen=True)
class Lifecycle:
    name: str
    phases: tuple[Phase, ...]
    id: int | None = None


def default_lifecycle(environment_names: Sequence[str]) -> Lifecycle:
    """One phase per environment, in order, each required: what a project gets without a lifecycle."""
    return Lifecycle(
        name="Default Lifecycle",
        phases=tuple(Phase(name=env, environments=(env,)) for env in environment_names),
    )


def _contains(names: Collection[str], name: str) -> bool:
    lowered = name.lower()
    return any(n.lower() == lowered for n in names)


def _phase_index(lifecycle: Lifecycle, environment: str) -> int | None:
    for index, phase in enumerate(lifecycle.phases):
        if _contains(phase.environments, environment):
            return index
    return None


def allowed_environments(lifecycle: Lifecycle, succeeded: Collection[str]) -> list[str]:
    """Environments the release may be deployed to now, given where it already succeeded.

    Re-deploying to an environment the release already reached is always allowed.
    """
    allowed: list[str] = []
    for phase in lifecycle.phases:
        allowed.extend(phase.environments)
        if not phase.is_complete(succeeded):
            break
    return allowed


def why_not_allowed(lifecycle: Lifecycle, environment: str, succeeded: Collection[str]) -> str | None:
    """None when the release may go to `environment` now, otherwise the reason in words."""
    index = _phase_index(lifecycle, environment)
    if index is None:
        return f'environment "{environment}" is not part of lifecycle "{lifecycle.name}"'
    for phase in lifecycle.phases[:index]:
        if not phase.is_complete(succeeded):
            needed = phase.required_count()
            envs = ", ".join(phase.environments)
            which = "all of" if needed == len(phase.environments) else f"{needed} of"
            return (
                f'lifecycle "{lifecycle.name}" requires phase "{phase.name}" to be complete first '
                f"(a successful deployment to {which} {envs})"
            )
    return None


def automatic_environments(lifecycle: Lifecycle, succeeded: Collection[str]) -> list[str]:
    """Environments to deploy to automatically because the release just entered their phase."""
    allowed = allowed_environments(lifecycle, succeeded)
    result: list[str] = []
    for phase in lifecycle.phases:
        for env in phase.automatic:
            if _contains(allowed, env) and not _contains(succeeded, env):
                result.append(env)
    return result


def validate_lifecycle(lifecycle: Lifecycle, known_environments: Collection[str], *, path: str) -> None:
    if not lifecycle.phases:
        raise InvalidInput("a lifecycle needs at least one phase", field=f"{path}.phases")
    seen: set[str] = set()
    for p_index, phase in enumerate(lifecycle.phases):
        phase_path = f"{path}.phases[{p_index}]"
        if not phase.environments:
            raise InvalidInput("a phase needs at least one environment", field=f"{phase_path}.environments")
        for e_index, env in enumerate(phase.environments):
            if not _contains(known_environments, env):
                raise InvalidInput(f'unknown environment "{env}"', field=f"{phase_path}.environments[{e_index}]")
            if env.lower() in seen:
                raise InvalidInput(
                    f'environment "{env}" appears in more than one phase', field=f"{phase_path}.environments[{e_index}]"
                )
            seen.add(env.lower())
        for a_index, env in enumerate(phase.automatic):
            if not _contains(phase.environments, env):
                raise InvalidInput(
                    f'automatic environment "{env}" is not in this phase', field=f"{phase_path}.automatic[{a_index}]"
                )
        if phase.minimum is not None and not 0 <= phase.minimum <= len(phase.environments):
            raise InvalidInput(
                f"minimum must be between 0 and {len(phase.environments)}", field=f"{phase_path}.minimum"
            )
