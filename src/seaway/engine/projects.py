"""Projects, their process and their variables: the rules every way of editing them shares.

The API and config-as-code apply both check a project here, so a scope naming an environment or a step
that does not exist is refused alike, with the indexed field (`variables[2].scope.steps`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from seaway.config.secret_references import STORED
from seaway.domain.channels import validate_channels
from seaway.domain.ids import KINDS, parse_id
from seaway.domain.packages import is_builtin
from seaway.domain.process import Step, package_of, step_roles, validate_process
from seaway.domain.projects import Project
from seaway.domain.variables import Variable
from seaway.engine.names import refuse_name_clash
from seaway.engine.paths import at
from seaway.errors import InvalidInput
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class VariableEdit:
    """A variable as sent by an editor; `value_given` is False when the value was left out (or null)."""

    variable: Variable
    value_given: bool = True


def looks_like_id(kind: str, ref: str) -> bool:
    return ref.isdigit() or ref.lower().startswith(KINDS[kind].lower() + "-")


async def find_project(uow: UnitOfWork, ref: str) -> Project:
    """A project by `Projects-3` or by its name."""
    if looks_like_id("project", ref):
        return await uow.projects.get(parse_id("project", ref))
    return await uow.projects.get_by_name(ref)


def check_variable_scopes(
    variables: Sequence[Variable], environments: Sequence[str], steps: Sequence[str] | None, *, path: str
) -> None:
    """Scopes name environments and steps that exist; `steps` None (a library set) leaves steps to each project.

    The field names the variable by its index; the scope is a set, so the name itself is in the message.
    """
    known_environments = {e.lower() for e in environments}
    known_steps = {s.lower() for s in steps} if steps is not None else set()
    for index, variable in enumerate(variables):
        if variable.value == STORED:  # `apply` resolves references before this check; nothing else does
            raise InvalidInput(
                "{stored: true} is understood only by seaway apply; write the value", field=f"{path}[{index}].value"
            )
        for environment in sorted(variable.scope.environments):
            if environment.lower() not in known_environments:
                raise InvalidInput(f'unknown environment "{environment}"', field=f"{path}[{index}].scope.environments")
        for step in sorted(variable.scope.steps):
            if steps is not None and step.lower() not in known_steps:
                raise InvalidInput(f'unknown step "{step}"', field=f"{path}[{index}].scope.steps")


async def check_project(uow: UnitOfWork, project: Project, *, path: str = "") -> None:
    """Its lifecycle, library variable sets, process environments and variable scopes all exist."""
    if project.lifecycle and await uow.lifecycles.find_by_name(project.lifecycle) is None:
        raise InvalidInput(f'unknown lifecycle "{project.lifecycle}"', field=at(path, "lifecycle"))
    for index, name in enumerate(project.includes):
        if await uow.library_variable_sets.find_by_name(name) is None:
            raise InvalidInput(f'unknown library variable set "{name}"', field=at(path, f"include[{index}]"))
    environments = [e.name for e in await uow.environments.list()]
    validate_process(project.process, environments, path=at(path, "process"))
    await check_step_roles(uow, project.process, path=at(path, "process"))
    steps = [s.name for s in project.process]
    check_variable_scopes(project.variables, environments, steps, path=at(path, "variables"))
    await check_packages(uow, project, path=path)


async def check_packages(uow: UnitOfWork, project: Project, *, path: str) -> None:
    """Channels name real steps and lifecycles; feeds named by steps exist; `release_on_push` names a step
    that deploys a package from the built-in feed."""
    validate_channels(project.channels, [s.name for s in project.process], path=at(path, "channels"))
    for index, channel in enumerate(project.channels):
        if channel.lifecycle and await uow.lifecycles.find_by_name(channel.lifecycle) is None:
            raise InvalidInput(
                f'unknown lifecycle "{channel.lifecycle}"', field=at(path, f"channels[{index}].lifecycle")
            )
    for index, step in enumerate(project.process):
        package = package_of(step)
        if package and not is_builtin(package[1]) and await uow.feeds.find_by_name(package[1] or "") is None:
            raise InvalidInput(f'unknown feed "{package[1]}"', field=at(path, f"process[{index}].package.feed"))
    if project.release_on_push:
        named = next((s for s in project.process if s.name.lower() == project.release_on_push.lower()), None)
        package = package_of(named) if named else None
        if package is None or not is_builtin(package[1]):
            raise InvalidInput(
                f'"{project.release_on_push}" is not a step that deploys a package from the built-in feed',
                field=at(path, "release_on_push.step"),
            )


def keep_sensitive_values(edits: Sequence[VariableEdit], stored: Sequence[Variable]) -> tuple[Variable, ...]:
    """A sensitive value left out (editors never see it) keeps the value stored for the same name and scope."""
    kept = []
    for edit in edits:
        variable = edit.variable
        if variable.sensitive and not edit.value_given:
            for old in stored:
                if old.sensitive and old.name.lower() == variable.name.lower() and old.scope == variable.scope:
                    variable = replace(variable, value=old.value)
                    break
        kept.append(variable)
    return tuple(kept)


async def create_project(uow: UnitOfWork, project: Project) -> Project:
    refuse_name_clash(await uow.projects.find_by_name(project.name), None, f'a project named "{project.name}"')
    await check_project(uow, project)
    return await uow.projects.add(project)


async def update_project(
    uow: UnitOfWork,
    ref: str,
    project: Project,
    *,
    process: tuple[Step, ...] | None = None,
    variables: tuple[Variable, ...] | None = None,
) -> Project:
    """Change a project's settings; its process and variables are kept unless new ones are given."""
    existing = await find_project(uow, ref)
    changed = replace(
        project,
        id=existing.id,
        process=existing.process if process is None else process,
        variables=existing.variables if variables is None else variables,
    )
    refuse_name_clash(await uow.projects.find_by_name(changed.name), existing.id, f'a project named "{changed.name}"')
    await check_project(uow, changed)
    return await uow.projects.save(changed)


async def delete_project(uow: UnitOfWork, ref: str) -> None:
    project = await find_project(uow, ref)
    assert project.id is not None
    await uow.projects.delete(project.id)


async def replace_process(uow: UnitOfWork, ref: str, steps: tuple[Step, ...]) -> Project:
    project = await find_project(uow, ref)
    validate_process(steps, [e.name for e in await uow.environments.list()], path="steps")
    await check_step_roles(uow, steps, path="steps")
    return await uow.projects.save(replace(project, process=steps))


async def check_step_roles(uow: UnitOfWork, steps: Sequence[Step], *, path: str) -> None:
    """A role a step chooses its targets by is carried by some target: a misspelt role would otherwise only
    show when a deployment finds nothing to run on."""
    wanted = step_roles(steps, path=path)
    if not wanted:
        return
    known = {role.lower() for target in await uow.targets.list() for role in target.roles}
    for role, field in wanted:
        if role.lower() not in known:
            raise InvalidInput(f'unknown role "{role}": no target has it', field=field)


async def replace_variables(uow: UnitOfWork, ref: str, edits: Sequence[VariableEdit]) -> Project:
    """The project's variables become `edits`, sensitive values left out kept, every scope checked."""
    project = await find_project(uow, ref)
    variables = keep_sensitive_values(edits, project.variables)
    environments = [e.name for e in await uow.environments.list()]
    check_variable_scopes(variables, environments, [s.name for s in project.process], path="variables")
    return await uow.projects.save(replace(project, variables=variables))
