"""Which of a step's matching targets a deployment runs on: a project's connectivity settings (Octopus's
`ProjectConnectivityPolicy`) applied to the targets' last known health.

A target that has never been checked (Unknown) is tried. One last found Unhealthy is refused (the step fails
naming it) unless the project excludes unhealthy targets; one last found Unavailable is tried unless the
project skips unavailable targets, which also skips a target found unreachable while the step runs on it.
A target whose machine policy says it may be offline is left out while Unavailable whatever the project
says. The targets left out are logged and named in `Octopus.Deployment.ExcludedMachines`.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from seaway.domain.targets import DeploymentTarget, HealthStatus


@dataclass(frozen=True)
class Connectivity:
    allow_no_targets: bool = False  # Octopus's AllowDeploymentsToNoTargets: a step with no target is skipped
    exclude_unhealthy: bool = False  # ExcludeUnhealthyTargets
    skip_unavailable: bool = False  # SkipMachineBehavior = SkipUnavailableMachines

    @property
    def is_default(self) -> bool:
        return self == Connectivity()


@dataclass(frozen=True)
class Exclusion:
    name: str
    reason: str


@dataclass(frozen=True)
class Selection:
    run: tuple[DeploymentTarget, ...]
    excluded: tuple[Exclusion, ...] = ()
    refused: tuple[Exclusion, ...] = ()  # a target the step may not skip and cannot run on


def _why(target: DeploymentTarget) -> str:
    said = "; ".join(target.health_messages)
    return f"it was {target.health} at its last health check" + (f" ({said})" if said else "")


def select_targets(
    targets: Sequence[DeploymentTarget], connectivity: Connectivity, may_be_offline: Collection[str] = ()
) -> Selection:
    """`may_be_offline`: the names of targets whose machine policy lets them be skipped while Unavailable."""
    run: list[DeploymentTarget] = []
    excluded: list[Exclusion] = []
    refused: list[Exclusion] = []
    for target in targets:
        if target.health is HealthStatus.UNHEALTHY:
            (excluded if connectivity.exclude_unhealthy else refused).append(Exclusion(target.name, _why(target)))
        elif target.health is HealthStatus.UNAVAILABLE and (
            connectivity.skip_unavailable or target.name in may_be_offline
        ):
            excluded.append(Exclusion(target.name, _why(target)))
        else:
            run.append(target)
    return Selection(tuple(run), tuple(excluded), tuple(refused))
