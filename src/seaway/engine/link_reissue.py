"""Sending an interruption's approval links again: the old ones expired, went astray or were never read.

Each recipient's open links are voided and a new pair is emailed, so one person never holds two live
pairs. Who may ask: the deployer, an administrator, or anyone who may decide the interruption. The
recipients are worked out as the teams are now (someone who joined since gets links; someone who left
does not), never including the deployer unless the step allows self-approval.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor
from seaway.domain.interruptions import Interruption, check_may_decide, responsible_users
from seaway.domain.users import User
from seaway.engine.decisions import (
    record_interruption_event,
    refuse_if_content_changed,
    refuse_unless_pending,
    refuse_unless_running,
)
from seaway.engine.mail import queue_email
from seaway.errors import InvalidInput
from seaway.steps.manual_intervention import LinkSettings, link_request, send_links
from seaway.store.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Reissued:
    interruption: Interruption
    recipients: list[User]
    expires_at: datetime


async def reissue_links(
    uow: UnitOfWork,
    interruption_id: int,
    actor: Actor,
    *,
    links: LinkSettings,
    now: datetime,
    usernames: Sequence[str] = (),
) -> Reissued:
    """Email new Approve and Reject links to the responsible people (or only to `usernames`).

    Raises InterruptionAlreadyDecided, InterruptionCanceled, DeploymentCanceled, ContentChanged,
    NotResponsible (the caller may not ask) or InvalidInput (`users`: someone who cannot decide, or nobody
    to send to).
    """
    user = actor.user
    interruption = await uow.interruptions.get(interruption_id)
    await refuse_unless_pending(uow, interruption)
    await refuse_unless_running(uow, interruption)
    teams = await uow.teams.list()
    if not (user.is_admin or (user.id is not None and user.id == interruption.requested_by)):
        check_may_decide(interruption, user, teams, interruption.project_name)
    await refuse_if_content_changed(uow, interruption)
    locked = await uow.interruptions.lock_pending(interruption_id)
    if locked is None:  # decided or canceled since it was read
        await refuse_unless_pending(uow, await uow.interruptions.get(interruption_id))
    recipients = _recipients(responsible_users(interruption, teams, await uow.users.list()), usernames)
    deployment = await uow.deployments.get(interruption.deployment_id)
    request = await link_request(uow, interruption, deployment, links, now)
    earlier = await uow.approval_links.list_for_interruption(interruption_id)
    fingerprints: dict[str, list[str]] = {}
    voided = 0
    for recipient in recipients:
        assert recipient.id is not None
        voided += await uow.approval_links.revoke_for_interruption(interruption_id, now, user_id=recipient.id)
        # The first email was approval:<interruption>:<user>; each pair sent since gets the next number.
        sent_before = sum(1 for link in earlier if link.user_id == recipient.id) // 2
        key = f"approval:{interruption_id}:{recipient.id}:{sent_before + 1}"
        fingerprints[recipient.username] = await send_links(uow, request, recipient, now, queue_email, key)
    await record_interruption_event(
        uow,
        actor,
        "links_reissued",
        interruption,
        {"links": fingerprints, "links_voided": voided, "expires_at": request.expires_at.isoformat()},
        now=now,
    )
    return Reissued(interruption, recipients, request.expires_at)


def _recipients(deciders: list[User], usernames: Sequence[str]) -> list[User]:
    with_address = [user for user in deciders if user.email]
    if usernames:
        wanted = {name.lower() for name in usernames}
        known = {user.username.lower() for user in with_address}
        unknown = [name for name in usernames if name.lower() not in known]
        if unknown:
            raise InvalidInput(
                f"cannot send links to {', '.join(unknown)}: not someone with an email address who may decide this",
                field="users",
            )
        with_address = [user for user in with_address if user.username.lower() in wanted]
    if not with_address:
        raise InvalidInput("nobody who may decide this has an email address", field="users")
    return with_address
