"""What `seaway export` and "View as YAML" write: the space (or one project) as the person asking may see it.

Each kind is written only for someone who may view it, filtered by project and environment as lists are. A
project is written only with its variables (someone who may not see them gets no project at all): a project
written without them would remove them when the document is applied back. A machine policy may be any
target's, so the whole list is written to someone who may view targets everywhere; someone who sees some
environments' targets gets the policies those targets name.
"""

from __future__ import annotations

from seaway.config.export import Document, SpaceContents, space_document
from seaway.domain.machine_policies import MachinePolicy
from seaway.domain.permissions import Permission, allows
from seaway.domain.projects import Project
from seaway.domain.targets import DeploymentTarget
from seaway.domain.users import User
from seaway.errors import NotFound
from seaway.store.unit_of_work import UnitOfWork

ENV_VIEW = Permission.ENVIRONMENT_VIEW


def _may(user: User, permission: Permission, project: str | None = None, environment: str | None = None) -> bool:
    return allows(user, permission, project, environment)


def _may_export(user: User, project: Project) -> bool:
    return _may(user, Permission.PROJECT_VIEW, project.name) and _may(user, Permission.VARIABLE_VIEW, project.name)


def _visible_machine_policies(
    user: User, policies: list[MachinePolicy], targets: list[DeploymentTarget]
) -> list[MachinePolicy]:
    if _may(user, Permission.TARGET_VIEW):
        return policies
    named = {t.policy.lower() for t in targets}
    return [p for p in policies if p.name.lower() in named]


def project_export(project: Project) -> Document:
    return space_document(SpaceContents(projects=[project]))


async def space_export(uow: UnitOfWork, user: User, *, project: str | None = None) -> Document:
    """The document of the whole space, or of the project named `project` alone (NotFound, as for an unknown
    name, when the person may not export it)."""
    if project is not None:
        found = await uow.projects.get_by_name(project)
        if not _may_export(user, found):
            raise NotFound(f"project {project} does not exist", entity="project", id=project)
        return project_export(found)
    targets = [
        t for t in await uow.targets.list() if any(_may(user, Permission.TARGET_VIEW, None, e) for e in t.environments)
    ]
    return space_document(
        SpaceContents(
            environments=[e.name for e in await uow.environments.list() if _may(user, ENV_VIEW, None, e.name)],
            lifecycles=await uow.lifecycles.list() if _may(user, Permission.LIFECYCLE_VIEW) else [],
            roles=await uow.roles.list() if _may(user, Permission.ROLE_VIEW) else [],
            users=await uow.users.list() if _may(user, Permission.USER_VIEW) else [],
            teams=await uow.teams.list() if _may(user, Permission.TEAM_VIEW) else [],
            library_variable_sets=await uow.library_variable_sets.list()
            if _may(user, Permission.VARIABLE_VIEW)
            else [],
            projects=[p for p in await uow.projects.list() if _may_export(user, p)],
            feeds=await uow.feeds.list() if _may(user, Permission.PACKAGE_VIEW) else [],
            accounts=await uow.accounts.list() if _may(user, Permission.ACCOUNT_VIEW) else [],
            targets=targets,
            machine_policies=_visible_machine_policies(user, await uow.machine_policies.list(), targets),
            approval_policies=await uow.policies.list() if _may(user, Permission.POLICY_VIEW) else [],
            freezes=await uow.freezes.list() if _may(user, Permission.POLICY_VIEW) else [],
            environment_tags={e.name: e.tags for e in await uow.environments.list() if e.tags},
        )
    )
