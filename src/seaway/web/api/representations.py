"""How domain objects look in the JSON API (ids as `<Kind>-<n>`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from seaway.domain.deployments import Deployment
from seaway.domain.environments import Environment
from seaway.domain.ids import format_id
from seaway.domain.lifecycles import Lifecycle
from seaway.domain.process import RunCondition, Step
from seaway.domain.projects import Project
from seaway.domain.prompts import prompt_to_json
from seaway.domain.releases import Release
from seaway.domain.tasks import StepRun, Task
from seaway.domain.users import Team, User
from seaway.domain.variables import SCOPE_KEYS, Variable
from seaway.store.codecs import connectivity_to_json, phase_to_json, role_to_json
from seaway.store.projects import ProjectSummary
from seaway.store.tasks import LogLine


def when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def environment_json(env: Environment) -> dict[str, Any]:
    return {
        "id": format_id("environment", env.id),
        "name": env.name,
        "sort_order": env.sort_order,
        "description": env.description,
        "tags": list(env.tags),
    }


def lifecycle_json(lifecycle: Lifecycle) -> dict[str, Any]:
    return {
        "id": format_id("lifecycle", lifecycle.id),
        "name": lifecycle.name,
        "phases": [phase_to_json(p) for p in lifecycle.phases],
    }


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": format_id("user", user.id),
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "is_admin": user.is_admin,
        "active": user.active,
        "service_account": user.service_account,
    }


def team_json(team: Team) -> dict[str, Any]:
    return {
        "id": format_id("team", team.id),
        "name": team.name,
        "members": list(team.members),
        "roles": [role_to_json(r) for r in team.roles],
    }


def project_json(project: Project | ProjectSummary) -> dict[str, Any]:
    """The same keys for a whole project and for the summary a list reads."""
    return {
        "id": format_id("project", project.id),
        "name": project.name,
        "lifecycle": project.lifecycle,
        "description": project.description,
        "include": list(project.includes),
        "connectivity": connectivity_to_json(project.connectivity),
        "tags": list(project.tags),
    }


def step_json(step: Step) -> dict[str, Any]:
    """The same shape as a step in the config document, so it can be PUT back or pasted into YAML."""
    data: dict[str, Any] = {"name": step.name, "type": str(step.type), **dict(step.properties)}
    if not step.enabled:
        data["enabled"] = False
    if step.required:
        data["required"] = True
    if step.environments.only or step.environments.skip:
        data["environments"] = {
            k: list(v) for k, v in (("only", step.environments.only), ("skip", step.environments.skip)) if v
        }
    if step.run_condition is RunCondition.VARIABLE:
        data["run_condition"] = {"variable": step.condition_expression}
    elif step.run_condition is not RunCondition.SUCCESS:
        data["run_condition"] = str(step.run_condition)
    if step.start.value != "after-previous":
        data["start"] = str(step.start)
    if step.children:
        data["steps"] = [step_json(child) for child in step.children]
    return data


def variable_json(variable: Variable) -> dict[str, Any]:
    """Sensitive values are never returned once set."""
    scope = {
        name: sorted(getattr(variable.scope, attr))
        for attr, name in SCOPE_KEYS.items()
        if getattr(variable.scope, attr)
    }
    data: dict[str, Any] = {
        "name": variable.name,
        "value": None if variable.sensitive else variable.value,
        "scope": scope,
        "sensitive": variable.sensitive,
    }
    if variable.prompt is not None:
        data["prompt"] = prompt_to_json(variable.prompt)
    return data


def release_json(release: Release, project: Project | None = None) -> dict[str, Any]:
    return {
        "id": format_id("release", release.id),
        "project_id": format_id("project", release.project_id),
        "project": project.name if project else None,
        "version": release.version,
        "notes": release.notes,
        "channel": release.channel,
        "packages": [
            {"step": p.step, "package_id": p.package_id, "version": p.version, "feed": p.feed, "sha256": p.sha256}
            for p in release.packages
        ],
        "created_at": when(release.created_at),
        "created_by": format_id("user", release.created_by) if release.created_by else None,
    }


def deployment_json(deployment: Deployment, release: Release | None = None) -> dict[str, Any]:
    return {
        "id": format_id("deployment", deployment.id),
        "release_id": format_id("release", deployment.release_id),
        "release_version": release.version if release else None,
        "project_id": format_id("project", deployment.project_id),
        "environment": deployment.environment,
        "task_id": format_id("task", deployment.task_id) if deployment.task_id else None,
        "created_at": when(deployment.created_at),
        "created_by": format_id("user", deployment.created_by) if deployment.created_by else None,
        "comments": deployment.comments,
    }


def step_run_json(run: StepRun) -> dict[str, Any]:
    return {
        "index": run.index,
        "number": run.index + 1,
        "name": run.name,
        "state": str(run.state),
        "started": when(run.started_at),
        "finished": when(run.finished_at),
        "error": run.error,
        "skip_reason": run.skip_reason,
        "attempts": run.attempts,
    }


def task_json(task: Task, steps: list[StepRun], waiting_for: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": format_id("task", task.id),
        "deployment_id": format_id("deployment", task.deployment_id),
        "state": str(task.state),
        "queued": when(task.queued_at),
        "started": when(task.started_at),
        "finished": when(task.finished_at),
        "error": task.error,
        "error_detail": task.error_detail,
        "cancel_requested": task.cancel_requested,
        "waiting_for": waiting_for or [],
        "steps": [step_run_json(s) for s in steps],
    }


def log_line_json(line: LogLine) -> dict[str, Any]:
    return {"id": line.id, "at": when(line.at), "level": line.level, "step": line.step_index, "message": line.message}
