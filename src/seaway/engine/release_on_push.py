"""Automatic release creation: a project that says `release_on_push: {step: Deploy}` gets a release when a
newer version of that step's package reaches the built-in feed, and — when its lifecycle's first phase is
automatic — a deployment there at once. Both are audited as done by the pusher."""

from __future__ import annotations

from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.channels import channel_named
from seaway.domain.lifecycles import automatic_environments
from seaway.domain.package_selection import package_steps
from seaway.domain.packages import BUILTIN_FEED, PackageVersion
from seaway.domain.releases import Release
from seaway.domain.semver import VersionRange, latest_version
from seaway.engine.deployments import create_deployment, project_lifecycle
from seaway.engine.releases import create_release
from seaway.store.unit_of_work import UnitOfWork


async def releases_on_push(
    uow: UnitOfWork, package: PackageVersion, *, actor: Actor, now: datetime
) -> tuple[Release, ...]:
    created = []
    for project in await uow.projects.list():
        if not project.release_on_push or project.id is None:
            continue
        step = next(
            (
                (s, package_id)
                for s, package_id, feed in package_steps(project.process)
                if s.name.lower() == project.release_on_push.lower() and feed == BUILTIN_FEED
            ),
            None,
        )
        if step is None or step[1].lower() != package.package_id.lower():
            continue
        channel = channel_named(project.channels, None)
        rule = channel.rule_for(step[0].name)
        versions = [v.version for v in await uow.packages.versions_of(package.package_id)]
        newest = latest_version(
            versions,
            allowed=VersionRange.parse(rule.versions) if rule and rule.versions else None,
            tag=rule.tag if rule else None,
        )
        if newest is None or newest.lower() != package.version.lower():
            continue  # an older version, or one the channel would not take
        release = await create_release(
            uow, project, now=now, user=actor.user, packages={step[0].name: package.version}, actor=actor
        )
        lifecycle = await project_lifecycle(uow, project, release.channel)
        for environment in automatic_environments(lifecycle, set()):
            await create_deployment(uow, release, environment, now=now, user=actor.user, actor=actor)
        created.append(release)
    return tuple(created)
