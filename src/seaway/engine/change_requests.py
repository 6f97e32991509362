"""Change requests: opened when a gated deployment is queued, decided by approvals, ended by a rejection.

A deployment in the scope of an approval policy is queued without a work item: its task stays `queued`, held
back by the pending request (the slot queries pass it over), costing a row and no worker. The decision that
meets the quorum, or any rejection, enqueues `run-task`; the orchestrator then starts the task, or ends it as
failed with the rejection as its error, before any step runs.

Every decision runs in the caller's transaction and locks the request's row first (`lock_pending`), so
concurrent decisions are counted one after the other and exactly one of them approves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.change_requests import (
    ChangeRequest,
    ChangeRequestDecision,
    ChangeRequestState,
    blocked_message,
    bound_content,
    format_number,
    policy_changes,
    validate_reason,
)
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Result
from seaway.domain.policies import MergedPolicy, Tally, approvers, eligible, impossibility, merged_to_json, tally
from seaway.domain.states import TERMINAL_TASK_STATES
from seaway.domain.users import Team, User
from seaway.engine.approval_timeout_items import schedule_timeouts
from seaway.engine.audit_trail import event_of
from seaway.engine.change_request_links import (
    CHANGE_REQUEST_LINKS,
    check_link,
    decided_request,
    links_key,
    notices_key,
    record_by_seaway,
    send_receipt,
)
from seaway.engine.deployer_notices import tell_deployer
from seaway.engine.orchestrator import RUN_TASK, run_task_key
from seaway.engine.policies import merged_policy
from seaway.errors import Conflict, DeploymentCanceled, NotResponsible, SelfApprovalRefused
from seaway.notify.addressing import deployment_page
from seaway.store.scopes import Where
from seaway.store.tasks import LogLine
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Progress:
    """A change request with its decisions and where its quorum stands, read in one unit of work."""

    request: ChangeRequest
    decisions: list[ChangeRequestDecision]
    tally: Tally
    approvers: frozenset[str]  # usernames (lower case) the policy names
    eligible: frozenset[str]  # of those, whose approval counts

    @property
    def blocked(self) -> str | None:
        return blocked_message(self.request, self.tally) if self.request.is_pending else None

    def may_decide(self, user: User) -> bool:
        return (
            self.request.is_pending
            and user.active
            and user.username.lower() in self.eligible
            and all(d.user_id != user.id for d in self.decisions)
        )


async def progress_of(uow: UnitOfWork, request: ChangeRequest, teams: list[Team] | None = None) -> Progress:
    assert request.id is not None
    teams = teams if teams is not None else await uow.teams.list()
    return progress_with(request, await uow.change_requests.decisions(request.id), teams)


def progress_with(request: ChangeRequest, decisions: list[ChangeRequestDecision], teams: list[Team]) -> Progress:
    """The progress of `request` from decisions already read (a list of many requests reads them at once)."""
    approved_by = [d.username for d in decisions if d.result is Result.PROCEED]
    deployer = request.requested_by_username
    gate = request.effective_policy
    return Progress(
        request,
        decisions,
        tally(gate, approved_by, teams, deployer),
        approvers(gate, teams),
        eligible(gate, teams, deployer),
    )


async def _log(uow: UnitOfWork, task_id: int, now: datetime, message: str, level: str = "info") -> None:
    await uow.tasks.append_log(task_id, [LogLine(now, level, message)])


async def open_change_request(
    uow: UnitOfWork,
    *,
    deployment_id: int,
    task_id: int,
    project: str,
    environment: str,
    release_version: str,
    deployer: User | None,
    now: datetime,
    actor: Actor | None = None,
) -> ChangeRequest | None:
    """The change request of a deployment being queued, when a policy applies to it; None when none does."""
    merged = await merged_policy(uow, project, environment)
    if merged is None:
        return None
    release_id = (await uow.deployments.get(deployment_id)).release_id
    release_hash = await uow.interruptions.release_content_hash(release_id)
    request = await uow.change_requests.add(
        ChangeRequest(
            deployment_id=deployment_id,
            task_id=task_id,
            project=project,
            environment=environment,
            release_version=release_version,
            policy=merged,
            created_at=now,
            requested_by=deployer.id if deployer else None,
            requested_by_username=deployer.username if deployer else None,
            content_hash=bound_content(release_hash, environment, merged),
        )
    )
    assert request.id is not None
    await _supersede_older(uow, request, now)
    await uow.queue.enqueue(CHANGE_REQUEST_LINKS, links_key(request.id), {"change_request": request.id}, now)
    await schedule_timeouts(uow, request, now)
    teams = await uow.teams.list()
    progress = await progress_of(uow, request, teams)
    await _log(uow, task_id, now, f"{progress.blocked} under {', '.join(merged.policies)}")
    why_not = impossibility(merged, teams, request.requested_by_username)
    if why_not is not None:
        await _log(uow, task_id, now, f"Nobody can approve this as things stand: {why_not}", "warning")
    details = {
        "deployment_id": format_id("deployment", deployment_id),
        "task_id": format_id("task", task_id),
        "policy": merged_to_json(merged),
    }
    if actor is not None:
        public = format_number(request.id)
        await uow.audit.record(
            event_of(actor, now, "change_request.created", public, details, Where(project, environment))
        )
    else:
        await record_by_seaway(uow, now, "created", request, details)
    return request


async def _supersede_older(uow: UnitOfWork, newer: ChangeRequest, now: datetime) -> None:
    """A newer release queued for the same project and environment cancels the older pending requests and
    their deployments: approving them would only deploy what is already replaced."""
    release = await uow.deployments.get(newer.deployment_id)
    for older in await uow.change_requests.pending_for(newer.project, newer.environment):
        if older.id == newer.id:
            continue
        if (await uow.deployments.get(older.deployment_id)).release_id >= release.release_id:
            continue  # the same release again, or an older one queued later: not a newer release
        assert older.id is not None
        reason = f"superseded by {format_number(newer.id)} (release {newer.release_version})"
        if not await uow.change_requests.end(older.id, ChangeRequestState.CANCELED, now, reason):
            continue
        await uow.change_request_links.revoke(older.id, now)
        await uow.tasks.request_cancel(older.task_id)
        await uow.queue.enqueue(RUN_TASK, run_task_key(older.task_id), {"task_id": older.task_id}, now)
        await _log(uow, older.task_id, now, f"{format_number(older.id)} was {reason}", "warning")
        payload = {"change_request": older.id, "ended": True}
        await uow.queue.enqueue(CHANGE_REQUEST_LINKS, notices_key(older.id), payload, now)
        details = {"reason": reason, "superseded_by": format_number(newer.id)}
        await record_by_seaway(uow, now, "superseded", older, details)


async def rebind_pending(uow: UnitOfWork, now: datetime) -> list[ChangeRequest]:
    """After policies (or the tags they match) changed: every pending request whose merged policy is no longer
    what its approvers were asked about is put to them again (`put_again`). A request no policy matches any
    more keeps the policy it recorded: removing a gate does not let through what was waiting behind it.
    Returns the requests put again."""
    again = []
    merged: dict[tuple[str, str], MergedPolicy | None] = {}
    for request in await uow.change_requests.list(state="pending", limit=10_000):
        where = (request.project.lower(), request.environment.lower())
        if where not in merged:
            merged[where] = await merged_policy(uow, request.project, request.environment)
        current = merged[where]
        if current is None or current == request.policy:
            continue
        rebound = await put_again(uow, request, now, policy=current)
        if rebound is not None:
            again.append(rebound)
    return again


async def put_again(
    uow: UnitOfWork,
    request: ChangeRequest,
    now: datetime,
    *,
    policy: MergedPolicy | None = None,
    release_changes: Sequence[str] = (),
) -> ChangeRequest | None:
    """Void the approvals of `request` when what they were given for (`bound_content`: the release's content,
    the environment, the merged policy) is no longer what it is: its links stop working, new ones are sent,
    it is pending again, and the task log and the audit (`change_request.voided`) say what changed.

    `policy` is the merged policy as it now is (read when None; the recorded one when none matches any more);
    `release_changes` says in words what changed in the release, when the caller knows. Returns the request
    as put again, or None when its content is what was approved."""
    assert request.id is not None
    current = policy or await merged_policy(uow, request.project, request.environment) or request.policy
    release_id = (await uow.deployments.get(request.deployment_id)).release_id
    content = bound_content(await uow.interruptions.release_content_hash(release_id), request.environment, current)
    if content == request.content_hash:
        return None
    policy_lines = policy_changes(request.policy, current) if current != request.policy else ()
    changes = (*policy_lines, *release_changes) or ("what it deploys changed since it was approved",)
    await uow.change_requests.rebind(request.id, current, content, changes)
    await uow.change_request_links.revoke(request.id, now)
    await uow.queue.enqueue(CHANGE_REQUEST_LINKS, links_key(request.id), {"change_request": request.id}, now)
    public = format_number(request.id)
    rebound = await uow.change_requests.get(request.id)
    await schedule_timeouts(uow, rebound, now)  # reminders again from now; the timeouts keep their moment
    progress = await progress_of(uow, rebound)
    cause = "its policy changed" if policy_lines and not release_changes else "what it deploys changed"
    message = f"The approvals of {public} are void, {cause} ({'; '.join(changes)}): {progress.blocked}"
    await _log(uow, request.task_id, now, message, "warning")
    details = {"changes": list(changes), "policy": merged_to_json(current), "content_hash": content}
    await record_by_seaway(uow, now, "voided", request, details)
    return rebound


async def hold_if_content_changed(uow: UnitOfWork, gate: ChangeRequest, now: datetime) -> bool:
    """At start: an approved request whose content no longer matches what was approved does not start; it is
    put to its approvers again. True when the deployment is held back."""
    if gate.state is not ChangeRequestState.APPROVED:
        return False
    return await put_again(uow, gate, now) is not None


async def decide(
    uow: UnitOfWork,
    number: int,
    actor: Actor,
    *,
    result: Result,
    notes: object,
    now: datetime,
    public_url: str,
    link_token_hash: str | None = None,
) -> Progress:
    """One person's approval or rejection of SEA-`number`.

    Raises InvalidInput (a rejection without a reason), NotFound, Conflict (no longer pending, or decided by
    this person already), DeploymentCanceled, NotResponsible (not an approver the policy names) or
    SelfApprovalRefused (the deployer, when the policy blocks the deployment's creator). With
    `link_token_hash`, the emailed link must be this person's for this decision, and is consumed here
    (LinkNotUsable otherwise).
    """
    text = validate_reason(result, notes)
    user = actor.user
    assert user.id is not None
    request = await uow.change_requests.get(number)
    public = format_number(number)
    if not await uow.change_requests.lock_pending(number):
        raise Conflict(f"{public} is already {request.state}", entity="change_request", id=public)
    task = await uow.tasks.get(request.task_id)
    if task.cancel_requested or task.state in TERMINAL_TASK_STATES:
        raise DeploymentCanceled(
            f"the deployment of {public} was canceled or has ended", entity="change_request", id=public
        )
    teams = await uow.teams.list()
    progress = await progress_of(uow, request, teams)
    if not user.active or user.username.lower() not in progress.approvers:
        raise NotResponsible(
            f'user "{user.username}" is not an approver of {public} (policies: {", ".join(request.policy.policies)})',
            entity="change_request",
            id=public,
        )
    if user.username.lower() not in progress.eligible:
        raise SelfApprovalRefused(
            f'user "{user.username}" created this deployment and the policy blocks its creator from deciding '
            f"{public}; another approver must",
            entity="change_request",
            id=public,
        )
    if link_token_hash is not None:
        await check_link(uow, link_token_hash, request, user, result, now)
    decision = ChangeRequestDecision(number, user.id, user.username, result, text, actor.channel.value, now)
    if not await uow.change_requests.add_decision(decision):
        raise Conflict(f'user "{user.username}" has already decided {public}', entity="change_request", id=public)
    after = await progress_of(uow, request, teams)
    ends = result is Result.ABORT or after.tally.approved
    # Once it is decided nobody's links may decide it; until then only this person's are spent.
    await uow.change_request_links.revoke(number, now, user_id=None if ends else user.id)
    if result is Result.ABORT:
        reason = f"Rejected by {user.label} ({public}): {text}"
        await uow.change_requests.end(number, ChangeRequestState.REJECTED, now, reason)
        await _log(uow, request.task_id, now, reason, "error")
        await uow.queue.enqueue(RUN_TASK, run_task_key(request.task_id), {"task_id": request.task_id}, now)
    elif after.tally.approved:
        await uow.change_requests.end(number, ChangeRequestState.APPROVED, now)
        await _log(uow, request.task_id, now, f"{public} approved by {user.label}; the deployment may start")
        await uow.queue.enqueue(RUN_TASK, run_task_key(request.task_id), {"task_id": request.task_id}, now)
    else:
        await _log(uow, request.task_id, now, f"{public} approved by {user.label}; still {after.blocked}")
    details = {"result": result.value, "notes": text, "task_id": format_id("task", request.task_id)}
    where = Where(request.project, request.environment)
    verb = "approved" if result is Result.PROCEED else "rejected"
    await uow.audit.record(event_of(actor, now, f"change_request.{verb}", public, details, where))
    url = deployment_page(public_url, request.deployment_id)
    if result is Result.ABORT:
        outcome = "rejected: the deployment will not start"
    elif after.tally.approved:
        outcome = "approved: the deployment starts"
    else:
        outcome = f"{after.tally.still_needed} more approvals needed"
    await notify_deployer(uow, request, user, result, text, now, url, outcome)
    if user.id != request.requested_by:
        await send_receipt(uow, request, user, result, text, actor.channel.value, actor.ip, now, public_url)
    return await progress_of(uow, await uow.change_requests.get(number), teams)


async def notify_deployer(
    uow: UnitOfWork,
    request: ChangeRequest,
    decider: User,
    result: Result,
    note: str,
    now: datetime,
    url: str,
    outcome: str,
) -> None:
    """The deployer learns of each decision, and from the one that decides it, how the request ended."""
    if request.requested_by is None:
        return
    gate = decided_request(request, result, note, url, f"change request {format_number(request.id)} ({outcome})")
    deployer = await uow.users.get(request.requested_by)
    await tell_deployer(uow, deployer, decider, now, gate, f"change-request-decision:{request.id}:{decider.id}")
