"""The manual-intervention step (Octopus `Octopus.Manual`): the deployment waits for a person's decision.

First run: the step opens an interruption and, with `email_links`, emails every responsible person their
own Approve and Reject links — all in one transaction — and returns `Waiting`, so the task holds no
worker. The decision (by link, UI, API or CLI) resumes the task; this executor then runs again, finds
the decision and succeeds or fails with the `Manual.*` output variables. Re-running after a crash finds
the interruption made before, so nothing is created or emailed twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from seaway.domain.changes import change_lines, compare_releases
from seaway.domain.deployments import Deployment
from seaway.domain.ids import format_id
from seaway.domain.interruptions import (
    ApprovalLink,
    Interruption,
    InterruptionKind,
    InterruptionState,
    Result,
    decision_outputs,
    rejection_error,
    responsible_users,
)
from seaway.domain.releases import Release
from seaway.domain.users import User
from seaway.notify.addressing import SEAWAY, Person, about_interruption, deployment_page
from seaway.notify.base import Email
from seaway.notify.messages import ApprovalRequest, approval_request_email
from seaway.security.tokens import hash_token, new_token, token_fingerprint
from seaway.steps.base import Failed, QueueEmail, StepContext, StepExecutor, StepOutcome, Succeeded, Waiting
from seaway.store.audit import AuditEvent
from seaway.store.unit_of_work import Store, UnitOfWork


@dataclass(frozen=True)
class LinkSettings:
    public_url: str  # links are built from the configured public URL, never from a request
    lifetime: timedelta


async def release_changes(uow: UnitOfWork, deployment: Deployment, release: Release) -> list[str]:
    """What `release` changes compared with the release last deployed successfully to the environment."""
    assert deployment.id is not None
    previous = await uow.deployments.previous_successful(deployment.project_id, deployment.environment, deployment.id)
    before = await uow.releases.get(previous.release_id) if previous is not None else None
    return change_lines(compare_releases(before, release), deployment.environment)


def make_manual_intervention_step(store: Store, queue_email: QueueEmail, links: LinkSettings) -> StepExecutor:
    async def run_manual_intervention(ctx: StepContext) -> StepOutcome:
        opened = False
        deciders: list[User] = []
        recipients: list[User] = []
        async with store.transaction() as uow:
            interruption = await uow.interruptions.find_for_step(ctx.task_id, ctx.step_index)
            if interruption is None:
                interruption, deciders, recipients = await _open(uow, ctx, queue_email, links)
                opened = True
            decider = await uow.users.get(interruption.decided_by) if interruption.decided_by is not None else None
        if opened:
            await _log_opened(ctx, interruption, deciders, recipients)
        if interruption.is_pending:
            return Waiting(
                f"{format_id('interruption', interruption.id)} needs a decision",
                blocks_other_deployments=ctx.step.flag("block_deployments"),
            )
        return await _outcome(ctx, interruption, decider)

    return run_manual_intervention


async def _log_opened(
    ctx: StepContext, interruption: Interruption, deciders: list[User], recipients: list[User]
) -> None:
    who = ", ".join(f'"{team}"' for team in interruption.responsible_teams) or "anyone who may deploy here"
    await ctx.log.write(f"{format_id('interruption', interruption.id)}: waiting for a decision by {who}")
    if not deciders:
        but_deployer = "" if interruption.allow_self_approval else " other than the deployer"
        await ctx.log.write(
            f"Nobody can decide this yet: no active user{but_deployer} is responsible. Add someone to the "
            "responsible teams, or cancel the deployment",
            "warning",
        )
    if ctx.step.flag("email_links"):
        if recipients:
            names = ", ".join(user.label for user in recipients)
            await ctx.log.write(f"Emailed approve and reject links to {len(recipients)} people: {names}")
        else:
            await ctx.log.write("Nobody responsible has an email address: no approval links were sent", "warning")


async def _outcome(ctx: StepContext, interruption: Interruption, decider: User | None) -> StepOutcome:
    outputs = decision_outputs(interruption, decider)
    name = decider.label if decider is not None else "nobody"
    if interruption.state is InterruptionState.CANCELED:
        return Failed(f"The manual intervention was canceled: {interruption.notes}", outputs)
    if interruption.result is Result.PROCEED:
        note = f": {interruption.notes}" if interruption.notes else ""
        await ctx.log.write(f"Approved by {name}{note}")
        return Succeeded(outputs)
    return Failed(rejection_error(decider, interruption.notes), outputs)


async def _open(
    uow: UnitOfWork, ctx: StepContext, queue_email: QueueEmail, links: LinkSettings
) -> tuple[Interruption, list[User], list[User]]:
    """Create the interruption, its links and the approval emails, in the caller's one transaction."""
    now = ctx.now()
    task = await uow.tasks.get(ctx.task_id)
    deployment = await uow.deployments.get(task.deployment_id)
    assert deployment.id is not None
    values = ctx.variables
    teams = tuple(str(name) for name in ctx.step.prop("responsible_teams") or ())
    project_name = values.get("Octopus.Project.Name", "")
    version = values.get("Octopus.Release.Number", "")
    interruption = await uow.interruptions.add(
        Interruption(
            kind=InterruptionKind.MANUAL_INTERVENTION,
            task_id=ctx.task_id,
            step_index=ctx.step_index,
            step_name=ctx.step.name,
            deployment_id=deployment.id,
            project_id=deployment.project_id,
            release_id=deployment.release_id,
            environment=ctx.environment,
            created_at=now,
            content_hash=await uow.interruptions.release_content_hash(deployment.release_id),
            project_name=project_name,
            release_version=version,
            deployment_url=deployment_page(links.public_url, deployment.id),
            title=f"{ctx.step.name}: {project_name} {version} to {ctx.environment}",
            instructions=ctx.mask(ctx.render(str(ctx.step.prop("instructions") or ""), "instructions")),
            responsible_teams=teams,
            links_require_sign_in=ctx.step.flag("links_require_sign_in"),
            requested_by=deployment.created_by,
            allow_self_approval=ctx.step.flag("allow_self_approval"),
        )
    )
    deciders = responsible_users(interruption, await uow.teams.list(), await uow.users.list())
    recipients: list[User] = []
    fingerprints: dict[str, list[str]] = {}
    if ctx.step.flag("email_links"):
        recipients = [user for user in deciders if user.email]
        request = await link_request(uow, interruption, deployment, links, now)
        for user in recipients:
            fingerprints[user.username] = await send_links(
                uow, request, user, now, queue_email, f"approval:{interruption.id}:{user.id}"
            )
    details = {
        "task_id": format_id("task", ctx.task_id),
        "step": ctx.step.name,
        "responsible_teams": list(teams),
        "content_hash": interruption.content_hash,
        "links": fingerprints,  # username → token fingerprints (approve, reject)
    }
    await record_by_seaway(uow, now, "requested", interruption, details)
    return interruption, deciders, recipients


async def record_by_seaway(
    uow: UnitOfWork, now: datetime, what: str, interruption: Interruption, details: Mapping[str, object]
) -> None:
    """Audit what Seaway itself did to an interruption (no person did it), as the event `interruption.<what>`."""
    entity_id = format_id("interruption", interruption.id)
    event = AuditEvent.by_seaway(
        at=now, action=f"interruption.{what}", entity="interruption", entity_id=entity_id, details=details
    )
    await uow.audit.record(event)


@dataclass(frozen=True)
class LinkRequest:
    """What every recipient's approval email of one interruption says, besides their own links."""

    interruption: Interruption
    deployer: Person
    release_notes: str
    changes: list[str]
    expires_at: datetime
    public_url: str


async def link_request(
    uow: UnitOfWork, interruption: Interruption, deployment: Deployment, links: LinkSettings, now: datetime
) -> LinkRequest:
    """What the approval emails of `interruption` say: when the interruption opens, and when links are sent again."""
    release = await uow.releases.get(deployment.release_id)
    deployer = await uow.users.get(deployment.created_by) if deployment.created_by is not None else None
    return LinkRequest(
        interruption=interruption,
        deployer=Person.of(deployer) if deployer else SEAWAY,
        release_notes=release.notes,
        changes=await release_changes(uow, deployment, release),
        expires_at=now + links.lifetime,
        public_url=links.public_url.rstrip("/"),
    )


async def send_links(
    uow: UnitOfWork, request: LinkRequest, user: User, now: datetime, queue_email: QueueEmail, email_key: str
) -> list[str]:
    """One recipient's approve and reject links and their email; returns the tokens' fingerprints."""
    assert user.id is not None and user.email is not None and request.interruption.id is not None
    tokens = {Result.PROCEED: new_token(), Result.ABORT: new_token()}
    await uow.approval_links.add_many(
        [
            ApprovalLink(
                interruption_id=request.interruption.id,
                user_id=user.id,
                decision=decision,
                token_hash=hash_token(token),
                content_hash=request.interruption.content_hash,
                created_at=now,
                expires_at=request.expires_at,
            )
            for decision, token in tokens.items()
        ]
    )
    email: Email = approval_request_email(
        ApprovalRequest(
            about=about_interruption(request.interruption),
            recipient=Person.of(user),
            step=request.interruption.step_name,
            instructions_markdown=request.interruption.instructions,
            deployer=request.deployer,
            approve_url=f"{request.public_url}/links/{tokens[Result.PROCEED]}",
            reject_url=f"{request.public_url}/links/{tokens[Result.ABORT]}",
            expires_at=request.expires_at,
            release_notes=request.release_notes,
            changes=request.changes,
        )
    )
    await queue_email(uow, email, email_key, now=now)
    return [token_fingerprint(hash_token(token)) for token in tokens.values()]
