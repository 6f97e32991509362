"""Automatic release creation: a project that says `release_on_push: {step: Deploy}` gets a release when a
newer version of that step's package reaches the built-in feed, and — when its lifecycle's first phase is
automatic — a deployment there at once. Both are audited as done by the pusher.

Each project's release is made in a transaction of its own, after the push has committed: a project that
cannot release (a rule, another step's missing package) is reported and never undoes the push or another
project's release.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.channels import channel_named
from seaway.domain.lifecycles import automatic_environments
from seaway.domain.package_selection import package_steps
from seaway.domain.packages import BUILTIN_FEED, PackageVersion
from seaway.domain.projects import Project
from seaway.domain.releases import Release
from seaway.domain.semver import VersionRange, latest_version
from seaway.engine.deployments import create_deployment, project_lifecycle
from seaway.engine.releases import create_release
from seaway.errors import SeawayError
from seaway.store.unit_of_work import Store, UnitOfWork


@dataclass(frozen=True)
class ReleasesOnPush:
    releases: tuple[Release, ...] = ()
    problems: tuple[str, ...] = ()  # one line per project that could not release


def _step_of(project: Project, package: PackageVersion) -> str | None:
    """The name of the project's release-on-push step when it deploys this package from the built-in feed."""
    if not project.release_on_push:
        return None
    for step, package_id, feed in package_steps(project.process):
        if (
            step.name.lower() == project.release_on_push.lower()
            and feed == BUILTIN_FEED
            and package_id.lower() == package.package_id.lower()
        ):
            return step.name
    return None


async def release_on_push(
    uow: UnitOfWork, project: Project, package: PackageVersion, step: str, *, actor: Actor, now: datetime
) -> Release | None:
    """The project's release of the pushed version, unless a newer one (that its default channel takes) is there."""
    rule = channel_named(project.channels, None).rule_for(step)
    versions = [v.version for v in await uow.packages.versions_of(package.package_id)]
    newest = latest_version(
        versions,
        allowed=VersionRange.parse(rule.versions) if rule and rule.versions else None,
        tag=rule.tag if rule else None,
    )
    if newest is None or newest.lower() != package.version.lower():
        return None
    release = await create_release(
        uow, project, now=now, user=actor.user, packages={step: package.version}, actor=actor
    )
    lifecycle = await project_lifecycle(uow, project, release.channel)
    for environment in automatic_environments(lifecycle, set()):
        await create_deployment(uow, release, environment, now=now, user=actor.user, actor=actor)
    return release


async def releases_on_push(store: Store, package: PackageVersion, *, actor: Actor, now: datetime) -> ReleasesOnPush:
    async with store.reading() as uow:
        projects = [(p, step) for p in await uow.projects.list() if (step := _step_of(p, package))]
    releases, problems = [], []
    for project, step in projects:
        try:
            async with store.transaction() as uow:
                current = await uow.projects.get(project.id or 0)
                release = await release_on_push(uow, current, package, step, actor=actor, now=now)
        except SeawayError as exc:
            problems.append(f'project "{project.name}" could not release {package.package_id} {package.version}: {exc}')
            continue
        if release is not None:
            releases.append(release)
    return ReleasesOnPush(tuple(releases), tuple(problems))
