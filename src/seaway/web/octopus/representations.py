"""Seaway's objects as Octopus's resources, in PascalCase, with Seaway's own ids (`ServerTasks-9`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from seaway.domain.environments import Environment
from seaway.domain.ids import format_id
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.domain.tasks import Task
from seaway.store.listings import PlacedDeployment, PlacedTask
from seaway.store.projects import ProjectSummary
from seaway.web.octopus.space import SPACE_ID

# Octopus's TaskState names; a task asked to cancel is `Cancelling` until it has ended.
TASK_STATES = {
    TaskState.QUEUED: "Queued",
    TaskState.EXECUTING: "Executing",
    TaskState.WAITING: "Executing",  # waiting on a decision: Octopus's task runs on, paused in its step
    TaskState.SUCCESS: "Success",
    TaskState.FAILED: "Failed",
    TaskState.CANCELED: "Canceled",
}


def when(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def space_link(path: str) -> str:
    return f"/api/{SPACE_ID}/{path}"


def task_state(task: Task) -> str:
    if task.cancel_requested and task.state not in TERMINAL_TASK_STATES:
        return "Cancelling"
    return TASK_STATES[task.state]


def duration_text(seconds: float) -> str:
    """As Octopus words a task's duration: `less than a second`, `7 seconds`, `2 minutes`, `1 hour`."""
    whole = int(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if whole >= size:
            count = whole // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return "less than a second"


def completed_text(finished: datetime | None) -> str | None:
    """When the task ended, in words (`Tuesday, 01 December 2026 4:07:50 PM +00:00`); None while it runs."""
    if finished is None:
        return None
    at = finished.astimezone(UTC)
    return f"{at:%A, %d %B %Y} {at.hour % 12 or 12}:{at:%M:%S %p} +00:00"


def server_task(placed: PlacedTask, now: datetime) -> dict[str, Any]:
    """Octopus's ServerTask resource for a deployment's task."""
    task, placement = placed.task, placed.placement
    task_id = format_id("task", task.id)
    deployment_id = format_id("deployment", placement.deployment_id)
    started = task.started_at or task.queued_at
    finished = task.finished_at if task.state in TERMINAL_TASK_STATES else None
    updated = max(t for t in (task.queued_at, task.started_at, task.finished_at) if t is not None)
    return {
        "Id": task_id,
        "SpaceId": SPACE_ID,
        "Name": "Deploy",
        "Description": f"Deploy {placement.project} release {placement.release_version} to {placement.environment}",
        "State": task_state(task),
        "IsCompleted": task.state in TERMINAL_TASK_STATES,
        "FinishedSuccessfully": task.state is TaskState.SUCCESS,
        "HasPendingInterruptions": placed.awaiting_decision,
        "HasWarningsOrErrors": task.state is TaskState.FAILED or task.failed_steps or bool(task.error),
        "ErrorMessage": task.error or "",
        "QueueTime": when(task.queued_at),
        "QueueTimeExpiry": None,
        "StartTime": when(task.started_at),
        "CompletedTime": when(finished),
        "LastUpdatedTime": when(updated),
        "Completed": completed_text(finished),
        "Duration": duration_text(((finished or now) - started).total_seconds()),
        "CanRerun": False,
        "HasBeenPickedUpByProcessor": task.started_at is not None,
        "IsPaused": False,
        "ServerNode": None,
        "Arguments": {"DeploymentId": deployment_id},
        "ProjectId": format_id("project", placement.project_id),
        "Links": {
            "Self": f"/api/tasks/{task_id}",
            "Web": f"/deployments/{deployment_id}",
            "Raw": space_link(f"tasks/{task_id}/raw"),
            "Details": space_link(f"tasks/{task_id}/details"),
            "Cancel": f"/api/tasks/{task_id}/cancel",
        },
    }


def deployment_resource(placed: PlacedDeployment) -> dict[str, Any]:
    deployment, placement = placed.deployment, placed.placement
    deployment_id = format_id("deployment", deployment.id)
    task_id = format_id("task", deployment.task_id) if deployment.task_id else None
    return {
        "Id": deployment_id,
        "SpaceId": SPACE_ID,
        "Name": f"Deploy to {placement.environment}",
        "ProjectId": format_id("project", placement.project_id),
        "ReleaseId": format_id("release", placement.release_id),
        "EnvironmentId": format_id("environment", placement.environment_id),
        "TaskId": task_id,
        "TenantId": None,
        "Created": when(deployment.created_at),
        "DeployedById": format_id("user", deployment.created_by) if deployment.created_by else None,
        "Comments": deployment.comments,
        "Links": {
            "Self": space_link(f"deployments/{deployment_id}"),
            "Release": space_link(f"releases/{format_id('release', placement.release_id)}"),
            "Task": f"/api/tasks/{task_id}" if task_id else None,
            "Web": f"/deployments/{deployment_id}",
        },
    }


def _named(kind: str, entity: Environment | Project | ProjectSummary) -> dict[str, Any]:
    """The fields Octopus gives every resource people name: id, space, name, slug and description."""
    return {
        "Id": format_id(kind, entity.id),
        "SpaceId": SPACE_ID,
        "Name": entity.name,
        "Slug": _slug(entity.name),
        "Description": entity.description,
    }


def environment_resource(environment: Environment) -> dict[str, Any]:
    named = _named("environment", environment)
    return named | {
        "SortOrder": environment.sort_order,
        "UseGuidedFailure": False,
        "AllowDynamicInfrastructure": False,
        "Links": {"Self": space_link(f"environments/{named['Id']}")},
    }


def project_resource(project: Project | ProjectSummary) -> dict[str, Any]:
    named = _named("project", project)
    project_id = named["Id"]
    return named | {
        "IsDisabled": False,
        "Links": {"Self": space_link(f"projects/{project_id}"), "Web": f"/projects/{project_id}"},
    }


def release_resource(release: Release, project: Project) -> dict[str, Any]:
    release_id = format_id("release", release.id)
    return {
        "Id": release_id,
        "SpaceId": SPACE_ID,
        "Version": release.version,
        "ProjectId": format_id("project", project.id),
        "ChannelName": release.channel,
        "ReleaseNotes": release.notes,
        "Assembled": when(release.created_at),
        "SelectedPackages": [
            {"ActionName": p.step, "StepName": p.step, "PackageReferenceName": "", "Version": p.version}
            for p in release.packages
        ],
        "Links": {"Self": space_link(f"releases/{release_id}"), "Web": f"/releases/{release_id}"},
    }


def _slug(name: str) -> str:
    return "-".join(name.lower().split())
