"""The system variables Seaway defines for a deployment (Octopus's names, so templates carry over)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.ids import format_id
from seaway.domain.packages import BUILTIN_FEED, BUILTIN_FEED_ID, PackageReference
from seaway.domain.states import StepState
from seaway.domain.targets import DeploymentTarget, SshEndpoint
from seaway.domain.users import User

# The targets a deployment left out; a step on targets keeps those it left out under this output name.
EXCLUDED_MACHINES = "Octopus.Deployment.ExcludedMachines"
# Where deployed applications live on the machine a step runs on (the server, or the target).
APPLICATIONS_DIRECTORY = "Octopus.Tentacle.Agent.ApplicationDirectoryPath"

STATUS_CODES: dict[StepState, str] = {
    StepState.PENDING: "Pending",
    StepState.RUNNING: "Running",
    StepState.WAITING: "Running",
    StepState.SUCCEEDED: "Success",
    StepState.FAILED: "Failed",
    StepState.SKIPPED: "Skipped",
    StepState.CANCELED: "Canceled",
}


@dataclass(frozen=True)
class StepStatus:
    name: str
    number: int  # 1-based, as shown to users
    state: StepState
    error: str | None = None
    outputs: Mapping[str, str] | None = None


@dataclass(frozen=True)
class DeploymentFacts:
    """Everything the system variables are made of, gathered by the engine."""

    project_id: str
    project_name: str
    environment_id: str
    environment_name: str
    release_id: str
    release_number: str
    release_notes: str
    release_created: datetime
    deployment_id: str
    deployment_created: datetime
    task_id: str
    server_uri: str
    created_by: User | None = None
    previous_release_number: str | None = None
    previous_environment_release_number: str | None = None
    previous_successful_deployment_id: str | None = None
    error: str | None = None
    error_detail: str | None = None
    comments: str = ""


def _user_variables(prefix: str, user: User | None) -> dict[str, str]:
    if user is None:
        return {}
    return {
        f"{prefix}.Id": format_id("user", user.id),
        f"{prefix}.Username": user.username,
        f"{prefix}.DisplayName": user.label,
        f"{prefix}.EmailAddress": user.email or "",
    }


def deployment_variables(facts: DeploymentFacts) -> dict[str, str]:
    deployment_link = f"/deployments/{facts.deployment_id}"
    values = {
        "Octopus.Project.Id": facts.project_id,
        "Octopus.Project.Name": facts.project_name,
        "Octopus.Environment.Id": facts.environment_id,
        "Octopus.Environment.Name": facts.environment_name,
        "Octopus.Release.Id": facts.release_id,
        "Octopus.Release.Number": facts.release_number,
        "Octopus.Release.Notes": facts.release_notes,
        "Octopus.Release.Created": facts.release_created.isoformat(),
        "Octopus.Deployment.Id": facts.deployment_id,
        "Octopus.Deployment.Name": f"Deploy to {facts.environment_name}",
        "Octopus.Deployment.Created": facts.deployment_created.isoformat(),
        "Octopus.Deployment.Comments": facts.comments,
        "Octopus.Task.Id": facts.task_id,
        "Octopus.Web.ServerUri": facts.server_uri.rstrip("/"),
        "Octopus.Web.BaseUrl": facts.server_uri.rstrip("/"),
        "Octopus.Web.DeploymentLink": deployment_link,
        "Octopus.Web.ProjectLink": f"/projects/{facts.project_id}",
        "Octopus.Web.ReleaseLink": f"/releases/{facts.release_id}",
    }
    values.update(_user_variables("Octopus.Deployment.CreatedBy", facts.created_by))
    if facts.previous_release_number is not None:
        values["Octopus.Release.Previous.Number"] = facts.previous_release_number
    if facts.previous_environment_release_number is not None:
        values["Octopus.Release.PreviousForEnvironment.Number"] = facts.previous_environment_release_number
    if facts.previous_successful_deployment_id is not None:
        values["Octopus.Deployment.PreviousSuccessful.Id"] = facts.previous_successful_deployment_id
    if facts.error is not None:
        values["Octopus.Deployment.Error"] = facts.error
        values["Octopus.Deployment.ErrorDetail"] = facts.error_detail or facts.error
    return values


def step_variables(steps: Sequence[StepStatus], current: StepStatus | None) -> dict[str, str]:
    """`Octopus.Step[<name>].*` and `Octopus.Action[<name>].*` for every step (in process order), and the
    current step's `Octopus.Step.*` / `Octopus.Action.*`, plus every output variable set so far."""
    values: dict[str, str] = {}
    excluded: list[str] = []
    for step in steps:
        for kind in ("Step", "Action"):
            prefix = f"Octopus.{kind}[{step.name}]"
            values[f"{prefix}.Name"] = step.name
            values[f"{prefix}.Number"] = str(step.number)
            values[f"{prefix}.Status.Code"] = STATUS_CODES[step.state]
            values[f"{prefix}.Status.Error"] = step.error or ""
        for name, value in (step.outputs or {}).items():
            if name == EXCLUDED_MACHINES:
                excluded += [n for n in value.split(",") if n and n not in excluded]
                continue
            # A target's own value is `Output[web-01].X`: the name starts with its index, no dot before it.
            separator = "" if name.startswith("[") else "."
            values[f"Octopus.Action[{step.name}].Output{separator}{name}"] = value
    values[EXCLUDED_MACHINES] = ",".join(excluded)
    if current is not None:
        for kind in ("Step", "Action"):
            values[f"Octopus.{kind}.Name"] = current.name
            values[f"Octopus.{kind}.Number"] = str(current.number)
            values[f"Octopus.{kind}.Status.Code"] = STATUS_CODES[current.state]
    return values


def package_variables(packages: Sequence[PackageReference], current_step: str) -> dict[str, str]:
    """What the release deploys: `Octopus.Release.Package[<step>].*` and `Octopus.Action[<step>].Package.*`
    for every package step, and `Octopus.Action.Package.*` for the current one (known before it runs)."""
    values: dict[str, str] = {}
    for package in packages:
        feed = BUILTIN_FEED_ID if package.feed == BUILTIN_FEED else package.feed
        facts = {"PackageId": package.package_id, "PackageVersion": package.version, "FeedId": feed}
        for name, value in facts.items():
            values[f"Octopus.Action[{package.step}].Package.{name}"] = value
            values[f"Octopus.Release.Package[{package.step}].{name}"] = value
            if package.step.lower() == current_step.lower():
                values[f"Octopus.Action.Package.{name}"] = value
        values[f"Octopus.Release.Package[{package.step}].Version"] = package.version
    return values


@dataclass(frozen=True)
class MachineRun:
    """The target a step runs on, with the step's other targets and those the deployment left out."""

    target: DeploymentTarget
    in_step: Sequence[DeploymentTarget]
    excluded: Sequence[str] = ()


def machine_variables(
    target: DeploymentTarget, in_step: Sequence[DeploymentTarget], excluded: Sequence[str] = ()
) -> dict[str, str]:
    """`Octopus.Machine.*` for the target a step runs on, what the step's other targets are, and the names of
    those the deployment left out (`ExcludedMachines`: unavailable or unhealthy, as the project allows)."""
    values = {
        "Octopus.Machine.Id": format_id("target", target.id),
        "Octopus.Machine.Name": target.name,
        "Octopus.Machine.Roles": ",".join(target.roles),
        "Octopus.Machine.Hostname": target.endpoint.host if isinstance(target.endpoint, SshEndpoint) else target.name,
        "Octopus.Deployment.Machines": ",".join(format_id("target", t.id) for t in in_step),
        EXCLUDED_MACHINES: ",".join(excluded),
    }
    for role in sorted({r for t in in_step for r in t.roles}):
        names = [t.name for t in in_step if role in t.roles]
        values[f"Octopus.Environment.MachinesInRole[{role}]"] = ",".join(names)
    return values
