"""Re-taking a release's variable snapshot (Octopus's "Update variables" on a release).

A release snapshots its project's variables when it is created; this takes them again, as the project and
its library variable sets hold them now. The process and the package versions stay as they were.

A deployment reads its release's snapshot each time it advances (`engine/task_runs.load_task_run`), so one
that has started would see different variables half-way through: while a deployment of the release is
executing or waiting, the snapshot is refused (Conflict naming the deployment). A queued one has not read it
yet and runs with the new one; every change request still pending or approved but not started is voided and
put to its approvers again, saying which variables changed (`engine/change_requests.put_again`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.change_requests import ChangeRequest, format_number
from seaway.domain.ids import format_id
from seaway.domain.release_diffs import variable_changes
from seaway.domain.releases import Release
from seaway.engine.audit_trail import event_of
from seaway.engine.change_requests import put_again
from seaway.engine.deployments import project_variables
from seaway.errors import Conflict
from seaway.store.scopes import Where
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Snapshot:
    """What re-taking the variables did: the release as it now is, what changed in words, and the change
    requests put to their approvers again."""

    release: Release
    changes: tuple[str, ...]
    voided: tuple[ChangeRequest, ...] = ()


async def snapshot_variables(uow: UnitOfWork, release_id: int, *, now: datetime, actor: Actor) -> Snapshot:
    """Take the project's current variables into release `release_id`. Nothing is written (nor audited)
    when they are what the release already holds."""
    release = await uow.releases.get(release_id)
    project = await uow.projects.get(release.project_id)
    busy = await uow.releases.deployments_in_progress(release_id)
    if busy:
        names = ", ".join(format_id("deployment", d) for d in busy)
        raise Conflict(
            f"release {release.version} of {project.name} is being deployed ({names}); its variables can be "
            "taken again once that has finished",
            entity="release",
            id=format_id("release", release_id),
        )
    variables = await project_variables(uow, project)
    if variables == release.variables:
        return Snapshot(release, ())
    changes = variable_changes(release.variables, variables)
    await uow.releases.replace_variables(release_id, variables)
    voided = []
    for request in await uow.change_requests.undecided_or_unstarted(release_id):
        again = await put_again(uow, request, now, release_changes=changes)
        if again is not None:
            voided.append(again)
    details = {
        "version": release.version,
        "changes": list(changes),
        "change_requests_voided": [format_number(r.id) for r in voided],
    }
    public = format_id("release", release_id)
    await uow.audit.record(event_of(actor, now, "release.variables_updated", public, details, Where(project.name)))
    return Snapshot(replace(release, variables=variables), changes, tuple(voided))
