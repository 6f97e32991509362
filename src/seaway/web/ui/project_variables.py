"""`GET|POST /projects/{id}/variables`: a project's variables, scoped values side by side, sensitive ones
masked; add, edit and delete through the call `PUT /api/v1/projects/{id}/variables` makes
(`engine.projects.replace_variables`), audited the same way with the channel `ui`.

A refused edit shows the form again with the message next to the field it names. The scope pickers offer
only what exists: the environments, the project's steps and the roles of its steps and of the targets.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from seaway.config.documents import parse_variable
from seaway.config.reader import Node
from seaway.domain.actors import AuthMethod
from seaway.domain.ids import format_id, parse_id
from seaway.domain.interruptions import Channel
from seaway.domain.permissions import Permission
from seaway.domain.projects import Project
from seaway.domain.users import User
from seaway.domain.variables import Variable
from seaway.engine.projects import VariableEdit, replace_variables
from seaway.errors import InvalidInput, NotFound, PermissionDenied, SeawayError
from seaway.store.unit_of_work import UnitOfWork
from seaway.web.access import Where, may, record_refusal, require, require_visible
from seaway.web.api.changes import record_change, variable_fields
from seaway.web.clients import actor_of
from seaway.web.sessions import SignedIn
from seaway.web.ui.pages import OUT_OF_DATE, from_this_site, page_for, posted_form, signed_in_or_redirect, ui_of
from seaway.web.ui.projects import project_page

router = APIRouter(include_in_schema=False)
MASK = "********"
# The form's scope fields and the scope dimension each one sets.
SCOPE_FIELDS = {"environments": "environments", "steps": "steps", "roles": "roles"}


@dataclass(frozen=True)
class VariableRow:
    index: int
    name: str
    value: str  # masked when sensitive
    sensitive: bool
    scope: str
    prompt: str


@dataclass(frozen=True)
class VariableForm:
    """The add or edit form as it is shown: what was typed, and the refusal next to the field it names."""

    index: int | None  # None: a new variable
    name: str = ""
    value: str = ""
    sensitive: bool = False
    environments: tuple[str, ...] = ()
    steps: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    error: str = ""
    error_field: str = ""  # name, value, environments, steps, roles; empty: shown above the form


def _scope_text(variable: Variable) -> str:
    parts = [f"{key}: {', '.join(sorted(getattr(variable.scope, key)))}" for key in SCOPE_FIELDS.values()
             if getattr(variable.scope, key)]  # fmt: skip
    return "; ".join(parts) or "unscoped"


def _row(index: int, v: Variable) -> VariableRow:
    masked = MASK if v.sensitive else v.value
    return VariableRow(index, v.name, masked, v.sensitive, _scope_text(v), v.prompt.label if v.prompt else "")


def _form_of(index: int, variable: Variable) -> VariableForm:
    return VariableForm(
        index, variable.name, "" if variable.sensitive else variable.value, variable.sensitive,
        tuple(sorted(variable.scope.environments)), tuple(sorted(variable.scope.steps)),
        tuple(sorted(variable.scope.roles)),
    )  # fmt: skip


@router.get("/projects/{project_id}/variables")
async def variables_page(request: Request, project_id: str, edit: int | None = None) -> Response:
    signed_in = await signed_in_or_redirect(request)
    if isinstance(signed_in, Response):
        return signed_in
    return await _render(request, signed_in, project_id, edit=edit)


async def _render(
    request: Request,
    signed_in: SignedIn,
    project_id: str,
    *,
    edit: int | None = None,
    form: VariableForm | None = None,
    status: int = 200,
) -> Response:
    async def load(uow: UnitOfWork, project: Project, user: User, now: datetime) -> dict[str, Any]:
        where = Where(project=project.name)
        require_visible(user, Permission.VARIABLE_VIEW, where, "project", project.id)
        shown = form
        if shown is None:
            editing = edit is not None and 0 <= edit < len(project.variables)
            shown = _form_of(edit, project.variables[edit]) if editing and edit is not None else VariableForm(None)
        targets = await uow.targets.list()
        step_roles = {r for s in project.process for r in (s.properties.get("roles") or ())}
        return {
            "rows": [_row(i, v) for i, v in enumerate(project.variables)],
            "may_edit": may(user, Permission.VARIABLE_EDIT, where),
            "form": shown,
            "choices": {
                "environments": [e.name for e in await uow.environments.list()],
                "steps": [s.name for s in project.process],
                "roles": sorted(step_roles | {r for t in targets for r in t.roles}, key=str.lower),
            },
        }

    return await project_page(request, signed_in, project_id, "project_variables.html", load, status=status)


def _posted(fields: Any, index: int | None) -> VariableForm:
    def chosen(key: str) -> tuple[str, ...]:
        return tuple(str(v) for v in fields.getlist(key))

    return VariableForm(
        index,
        str(fields.get("name") or ""),
        str(fields.get("value") or ""),
        fields.get("sensitive") == "on",
        chosen("environments"),
        chosen("steps"),
        chosen("roles"),
    )


def _edited(form: VariableForm, stored: tuple[Variable, ...]) -> Variable:
    """The variable the form describes, read as a document's variable is (so the same mistakes are refused)."""
    written: dict[str, Any] = {"name": form.name, "value": form.value, "sensitive": form.sensitive}
    scope = {dimension: list(getattr(form, key)) for key, dimension in SCOPE_FIELDS.items() if getattr(form, key)}
    if scope:
        written["scope"] = scope
    variable = parse_variable(Node(written, "variable"))
    if form.index is not None and form.sensitive and not form.value and stored[form.index].sensitive:
        # A sensitive value is never shown to be sent back: left empty, it stays as it is.
        variable = replace(variable, value=stored[form.index].value)
    return replace(variable, prompt=stored[form.index].prompt if form.index is not None else None)


def _field_of(error: SeawayError) -> str:
    field = getattr(error, "field", None) or ""
    for name in ("name", "value", *SCOPE_FIELDS):
        if field.startswith(f"variable.{name}") or (field.startswith("variables[") and f".scope.{name}" in field):
            return name
    return ""


@router.post("/projects/{project_id}/variables")
@from_this_site
async def edit_variables(request: Request, project_id: str) -> Response:
    form = await posted_form(request)
    if isinstance(form, Response):
        return form
    signed_in, user = form.signed_in, form.signed_in.user
    raw_index = form.field("index")
    index = int(raw_index) if raw_index.isdigit() else None
    shown = _posted(form.fields, index)
    if not form.csrf_ok:
        return await _render(request, signed_in, project_id, form=replace(shown, error=OUT_OF_DATE), status=403)
    services = ui_of(request).services
    actor = actor_of(request, user, Channel.UI, AuthMethod.SESSION)
    try:
        async with services.store.transaction() as uow:
            project = await _editable(uow, user, project_id)
            stored = project.variables
            if index is not None and index >= len(stored):
                raise NotFound(f"variable {index} does not exist", entity="variable", id=str(index))
            if form.field("action") == "delete" and index is not None:
                wanted = stored[:index] + stored[index + 1 :]
            else:
                variable = _edited(shown, stored)
                wanted = (*stored[:index], variable, *stored[index + 1 :]) if index is not None else (*stored, variable)
            changed = await replace_variables(uow, format_id("project", project.id), [VariableEdit(v) for v in wanted])
            await record_change(
                uow, actor, now=services.clock.now(), action="variables.updated", entity="project",
                entity_id=format_id("project", project.id), before=variable_fields(stored),
                after=variable_fields(changed.variables), project=project.name,
            )  # fmt: skip
    except PermissionDenied as exc:
        await record_refusal(request, exc, actor)
        return await _render(request, signed_in, project_id, form=replace(shown, error=exc.message), status=403)
    except (InvalidInput, NotFound) as exc:
        refused = replace(shown, error=exc.message, error_field=_field_of(exc))
        return await _render(request, signed_in, project_id, form=refused, status=page_for(exc).status)
    return RedirectResponse(f"/projects/{format_id('project', project.id)}/variables", status_code=303)


async def _editable(uow: UnitOfWork, user: User, project_id: str) -> Project:
    number = parse_id("project", project_id)
    project = await uow.projects.get(number)
    require_visible(user, Permission.PROJECT_VIEW, Where(project=project.name), "project", number)
    require(user, Permission.VARIABLE_EDIT, Where(project=project.name))
    return project
