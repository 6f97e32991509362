"""The tags a deployment is matched on: its project's and its environment's, read only when some scope asks
for tags (most spaces have none, and then matching costs no reads)."""

from __future__ import annotations

from seaway.store.unit_of_work import UnitOfWork

Tags = tuple[tuple[str, ...], tuple[str, ...]]  # the project's, the environment's


async def deployment_tags(uow: UnitOfWork, project: str, environment: str) -> Tags:
    found_project = await uow.projects.find_by_name(project)
    found_environment = await uow.environments.find_by_name(environment)
    return (found_project.tags if found_project else (), found_environment.tags if found_environment else ())
