"""Failed sign-ins, counted per account; the failure that reaches the limit locks it (`domain.sign_in`).

Every failure is audited as `sign_in.failed` with its reason, in the transaction that counts it; the one
that locks the account adds `user.locked_out`. Only a wrong password (or none set) counts towards the lock:
a disabled user, a service account and an account already locked are refused whatever the password.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Channel
from seaway.domain.sign_in import FailureReason, LockoutPolicy
from seaway.store.audit import AuditEvent
from seaway.store.unit_of_work import UnitOfWork

_NAME_LENGTH = 64


@dataclass(frozen=True)
class Stranger:
    """Someone who typed a user name that names nobody: recorded as typed (made printable)."""

    username: str
    channel: Channel
    ip: str | None = None
    user_agent: str | None = None


async def record_failure(
    uow: UnitOfWork, who: Actor | Stranger, reason: FailureReason, *, now: datetime, policy: LockoutPolicy
) -> bool:
    """Audit a failed sign-in; a wrong password of a known user counts towards the lock. True when this
    failure locked the account."""
    if isinstance(who, Stranger):
        await uow.audit.record(_stranger_event(who, now))
        return False
    user = who.user
    assert user.id is not None
    user_id = format_id("user", user.id)
    details: dict[str, object] = {"reason": str(reason)}
    locked = False
    if reason is FailureReason.BAD_PASSWORD:
        count = await uow.users.count_failed_sign_in(user.id, now, policy.window_start(now))
        details["failures"] = count
        if count >= policy.failures:
            locked = await uow.users.lock(user.id, policy.locked_until(now), now)
    await uow.audit.record(_event(who, now, "sign_in.failed", user_id, details))
    if locked:
        until = policy.locked_until(now).isoformat()
        lock_details = {"failures": policy.failures, "window_minutes": policy.window.total_seconds() / 60}
        await uow.audit.record(_event(who, now, "user.locked_out", user_id, {**lock_details, "locked_until": until}))
    return locked


async def record_success(uow: UnitOfWork, actor: Actor, *, now: datetime) -> None:
    """A good password: the count starts afresh, and the sign-in is audited."""
    assert actor.user.id is not None
    await uow.users.clear_failed_sign_ins(actor.user.id)
    await uow.audit.record(_event(actor, now, "sign_in.succeeded", format_id("user", actor.user.id), {}))


def _event(actor: Actor, now: datetime, action: str, user_id: str, details: dict[str, object]) -> AuditEvent:
    return AuditEvent.by(actor, at=now, action=action, entity="user", entity_id=user_id, details=details)


def _stranger_event(who: Stranger, now: datetime) -> AuditEvent:
    return AuditEvent(
        at=now,
        action="sign_in.failed",
        entity="user",
        entity_id="",  # no such user
        actor=printable(who.username)[:_NAME_LENGTH],
        actor_kind="user",
        channel=who.channel.value,
        auth=AuthMethod.PASSWORD.value,
        ip=who.ip,
        user_agent=who.user_agent,
        details={"reason": str(FailureReason.UNKNOWN_USER)},
    )


def printable(text: str) -> str:
    """`text` with control characters (NUL among them, which PostgreSQL cannot store) replaced by `?`."""
    return "".join("?" if ord(c) < 0x20 or ord(c) == 0x7F else c for c in text)
