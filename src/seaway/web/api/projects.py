from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request

from seaway.config.documents import parse_project, parse_step, parse_variable
from seaway.config.reader import Node
from seaway.domain.permissions import Permission
from seaway.domain.process import validate_process
from seaway.domain.projects import Project
from seaway.domain.variables import Variable
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.api.common import find_project, json_body, refuse_name_clash
from seaway.web.api.representations import project_json, step_json, variable_json
from seaway.web.auth import CurrentUser, allow
from seaway.web.deps import services_of

router = APIRouter(tags=["projects"])


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


PROJECT_BODY = _body(
    {
        "type": "object",
        "required": ["name"],
        "properties": {
            "name": {"type": "string"},
            "lifecycle": {"type": "string"},
            "description": {"type": "string"},
            "process": {"type": "array", "items": {"type": "object"}},
            "variables": {"type": "array", "items": {"type": "object"}},
        },
    }
)
PROCESS_BODY = _body(
    {"type": "object", "required": ["steps"], "properties": {"steps": {"type": "array", "items": {"type": "object"}}}}
)
VARIABLES_BODY = _body(
    {
        "type": "object",
        "required": ["variables"],
        "properties": {"variables": {"type": "array", "items": {"type": "object"}}},
    }
)


async def _check_references(uow: UnitOfWork, project: Project) -> None:
    if project.lifecycle and await uow.lifecycles.find_by_name(project.lifecycle) is None:
        raise InvalidInput(f'unknown lifecycle "{project.lifecycle}"', field="lifecycle")
    validate_process(project.process, [e.name for e in await uow.environments.list()], path="process")


@router.get("/projects")
async def list_projects(request: Request, user: CurrentUser) -> list[dict[str, Any]]:
    allow(user, Permission.PROJECT_VIEW)
    async with services_of(request).store.reading() as uow:
        return [project_json(p) for p in await uow.projects.list()]


@router.post("/projects", status_code=201, openapi_extra=PROJECT_BODY)
async def create_project(request: Request, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.PROJECT_EDIT)
    project = parse_project(Node(await json_body(request), ""))
    async with services_of(request).store.transaction() as uow:
        refuse_name_clash(await uow.projects.find_by_name(project.name), None, f'a project named "{project.name}"')
        await _check_references(uow, project)
        return project_json(await uow.projects.add(project))


@router.get("/projects/{project_ref}")
async def get_project(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.PROJECT_VIEW, project=project_ref)
    async with services_of(request).store.reading() as uow:
        return project_json(await find_project(uow, project_ref))


@router.put("/projects/{project_ref}", openapi_extra=PROJECT_BODY)
async def update_project(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.PROJECT_EDIT, project=project_ref)
    data = await json_body(request)
    async with services_of(request).store.transaction() as uow:
        existing = await find_project(uow, project_ref)
        if isinstance(data, dict):  # process and variables have their own endpoints; keep them unless given
            data = {"process": [step_json(s) for s in existing.process], **data}
        incoming = parse_project(Node(data, ""))
        project = replace(
            incoming, id=existing.id, variables=incoming.variables if "variables" in data else existing.variables
        )
        refuse_name_clash(
            await uow.projects.find_by_name(project.name),
            existing.id,
            f'a project named "{project.name}"',
            field="name",
        )
        await _check_references(uow, project)
        return project_json(await uow.projects.save(project))


@router.delete("/projects/{project_ref}", status_code=204)
async def delete_project(request: Request, project_ref: str, user: CurrentUser) -> None:
    allow(user, Permission.PROJECT_EDIT, project=project_ref)
    async with services_of(request).store.transaction() as uow:
        project = await find_project(uow, project_ref)
        assert project.id is not None
        await uow.projects.delete(project.id)


@router.get("/projects/{project_ref}/process")
async def get_process(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.PROJECT_VIEW, project=project_ref)
    async with services_of(request).store.reading() as uow:
        project = await find_project(uow, project_ref)
        return {"project_id": project_json(project)["id"], "steps": [step_json(s) for s in project.process]}


@router.put("/projects/{project_ref}/process", openapi_extra=PROCESS_BODY)
async def put_process(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.PROCESS_EDIT, project=project_ref)
    body = Node(await json_body(request), "").mapping({"steps"}, {"steps"})
    steps = tuple(parse_step(s) for s in body["steps"].items())
    async with services_of(request).store.transaction() as uow:
        project = await find_project(uow, project_ref)
        validate_process(steps, [e.name for e in await uow.environments.list()], path="steps")
        project = await uow.projects.save(replace(project, process=steps))
        return {"project_id": project_json(project)["id"], "steps": [step_json(s) for s in project.process]}


@router.get("/projects/{project_ref}/variables")
async def get_variables(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.VARIABLE_VIEW, project=project_ref)
    async with services_of(request).store.reading() as uow:
        project = await find_project(uow, project_ref)
        return {"project_id": project_json(project)["id"], "variables": [variable_json(v) for v in project.variables]}


def _keep_sensitive(incoming: Variable, raw: Any, existing: tuple[Variable, ...]) -> Variable:
    """A sensitive value sent back as null (the API never returns it) keeps the value already stored."""
    if not (incoming.sensitive and isinstance(raw, dict) and raw.get("value") is None):
        return incoming
    for old in existing:
        if old.sensitive and old.name.lower() == incoming.name.lower() and old.scope == incoming.scope:
            return replace(incoming, value=old.value)
    return incoming


@router.put("/projects/{project_ref}/variables", openapi_extra=VARIABLES_BODY)
async def put_variables(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    allow(user, Permission.VARIABLE_EDIT, project=project_ref)
    body = Node(await json_body(request), "").mapping({"variables"}, {"variables"})
    nodes = list(body["variables"].items())
    parsed = [parse_variable(n) for n in nodes]
    async with services_of(request).store.transaction() as uow:
        project = await find_project(uow, project_ref)
        variables = tuple(_keep_sensitive(v, n.value, project.variables) for v, n in zip(parsed, nodes, strict=True))
        known = {e.name.lower() for e in await uow.environments.list()}
        for index, variable in enumerate(variables):
            for env in sorted(variable.scope.environments):
                if env.lower() not in known:
                    raise InvalidInput(f'unknown environment "{env}"', field=f"variables[{index}].scope.environment")
        project = await uow.projects.save(replace(project, variables=variables))
        return {"project_id": project_json(project)["id"], "variables": [variable_json(v) for v in project.variables]}
