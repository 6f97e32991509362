"""Projects under /api/v1: the shared CRUD endpoints, and a project's process and variables."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from fastapi import Request

from seaway.config.documents import parse_project, parse_step, parse_variable
from seaway.domain.permissions import Dimension, Permission
from seaway.domain.projects import Project
from seaway.domain.users import User
from seaway.engine.change_requests import rebind_pending
from seaway.engine.projects import (
    VariableEdit,
    create_project,
    delete_project,
    find_project,
    replace_process,
    replace_variables,
    update_project,
)
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, require
from seaway.web.api import crud
from seaway.web.api.bodies import ProcessBody, ProjectBody, VariablesBody
from seaway.web.api.changes import Fields, process_fields, record_request_change, variable_fields
from seaway.web.api.common import visible_project
from seaway.web.api.representations import project_json, step_json, variable_json
from seaway.web.auth import CurrentUser
from seaway.web.deps import services_of


async def _list_summaries(uow: UnitOfWork) -> list[dict[str, Any]]:
    # The summaries hold every column a project's JSON shows, with its process and variables left undecoded.
    return [project_json(project) for project in await uow.projects.list_summaries()]


async def _update(edit: crud.Edit, ref: str, body: ProjectBody) -> Project:
    # The process and the variables have endpoints of their own: a PUT that leaves them out keeps them.
    project = parse_project(body.node())
    sent = body.model_fields_set
    if "tags" not in sent:  # left out: kept, as an environment's are
        project = replace(project, tags=(await find_project(edit.uow, ref)).tags)
    updated = await update_project(
        edit.uow,
        ref,
        project,
        process=project.process if "process" in sent else None,
        variables=project.variables if "variables" in sent else None,
    )
    await rebind_pending(edit.uow, edit.now)  # its tags may change which policies gate what waits
    return updated


def _audited(project: Project) -> Fields:
    """A project's settings, steps and variables: a PUT of the project may change all three."""
    steps, variables = process_fields(project.process), variable_fields(project.variables)
    return Fields({**project_json(project), **steps.values, **variables.values}, variables.sensitive)


router = crud.router_of(
    crud.Resource(
        kind="project",
        id_param="project_ref",
        body=ProjectBody,
        represent=project_json,
        repository=lambda uow: uow.projects,
        list_represented=_list_summaries,
        find=find_project,
        engine=crud.Engine(create_project, delete=delete_project, ref=crud.as_sent, reader=parse_project),
        update=_update,
        scoped_by=Dimension.PROJECT,
        audited=_audited,
    )
)


def _process_json(project: Project) -> dict[str, Any]:
    return {"project_id": project_json(project)["id"], "steps": [step_json(s) for s in project.process]}


def _variables_json(project: Project) -> dict[str, Any]:
    return {"project_id": project_json(project)["id"], "variables": [variable_json(v) for v in project.variables]}


async def _read_project(request: Request, project_ref: str, user: User, permission: Permission) -> Project:
    async with services_of(request).store.reading() as uow:
        project = await visible_project(uow, user, project_ref)
    require(user, permission, Where(project=project.name))
    return project


async def _record(
    request: Request, uow: UnitOfWork, user: User, what: str, before: Fields, after: Fields, project: Project
) -> None:
    await record_request_change(
        request, uow, user, action=f"{what}.updated", kind="project", number=project.id, before=before, after=after,
        project=project.name,
    )  # fmt: skip


@router.get("/projects/{project_ref}/process")
async def get_process(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    return _process_json(await _read_project(request, project_ref, user, Permission.PROJECT_VIEW))


@router.put("/projects/{project_ref}/process")
async def put_process(request: Request, project_ref: str, body: ProcessBody, user: CurrentUser) -> dict[str, Any]:
    steps = tuple(parse_step(s) for s in body.node().mapping({"steps"})["steps"].items())
    async with services_of(request).store.transaction() as uow:
        project = await visible_project(uow, user, project_ref)
        require(user, Permission.PROCESS_EDIT, Where(project=project.name))
        changed = await replace_process(uow, project_ref, steps)
        await _record(
            request, uow, user, "process", process_fields(project.process), process_fields(changed.process), changed
        )
        return _process_json(changed)


@router.get("/projects/{project_ref}/variables")
async def get_variables(request: Request, project_ref: str, user: CurrentUser) -> dict[str, Any]:
    return _variables_json(await _read_project(request, project_ref, user, Permission.VARIABLE_VIEW))


@router.put("/projects/{project_ref}/variables")
async def put_variables(request: Request, project_ref: str, body: VariablesBody, user: CurrentUser) -> dict[str, Any]:
    """Replace the variables; a sensitive value sent as null (the API never shows it) keeps the stored one."""
    edits = [
        VariableEdit(parse_variable(variable.node(f"variables[{index}]")), value_given=variable.value is not None)
        for index, variable in enumerate(body.variables)
    ]
    async with services_of(request).store.transaction() as uow:
        project = await visible_project(uow, user, project_ref)
        require(user, Permission.VARIABLE_EDIT, Where(project=project.name))
        changed = await replace_variables(uow, project_ref, edits)
        # The stored values are compared, so a sensitive value sent again unchanged is no change.
        before, after = variable_fields(project.variables), variable_fields(changed.variables)
        await _record(request, uow, user, "variables", before, after, changed)
        return _variables_json(changed)
