"""Anchoring the audit chain: signed checkpoints of its head, made at every export and at least hourly.

A checkpoint is signed only over a chain that extends the last checkpoint this key signed: the events since
then are checked first (each hash, each link, and that the first of them is the signed head), so a chain
rewritten by someone with write access to the database is never signed over; the refusal names the first bad
event. `verify_log` checks the whole stored log the way `seaway audit verify` reports it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from seaway.domain.audit_chain import (
    ChainVerifier,
    Checkpoint,
    SignatureCheck,
    VerifyResult,
    checkpoint_message,
    event_ref,
)
from seaway.engine.clock import Clock
from seaway.engine.periodic import repeat
from seaway.security.signing import PublicKey, SigningKey
from seaway.store.unit_of_work import Store, UnitOfWork

log = logging.getLogger("seaway.audit")

CHECKPOINT_EVERY = timedelta(hours=1)
# How often the server looks whether a checkpoint is due (the clock decides whether it is).
CHECKPOINT_POLL_SECONDS = 60.0


def signature_check(keys: Mapping[str, PublicKey]) -> SignatureCheck:
    """A check of checkpoints by the public keys given, each found by its key id."""

    def check(checkpoint: Checkpoint) -> bool:
        key = keys.get(checkpoint.key_id)
        message = checkpoint_message(checkpoint.last_event_id, checkpoint.head_hash)
        return key is not None and key.verify(message, checkpoint.signature)

    return check


def keys_by_id(*keys: PublicKey) -> dict[str, PublicKey]:
    return {key.key_id: key for key in keys}


async def verify_log(uow: UnitOfWork, keys: Mapping[str, PublicKey]) -> VerifyResult:
    """The whole stored chain from its first event, every checkpoint, and the chain head."""
    verifier = ChainVerifier(
        await uow.audit.checkpoints(), signature_check(keys), from_genesis=True, head=await uow.audit.head()
    )
    async for row in uow.audit.chain():
        if not verifier.feed(row):
            break
    return verifier.finish()


@dataclass(frozen=True)
class CheckpointOutcome:
    checkpoint: Checkpoint | None  # the one on the chain head; None: no events yet, or refused
    created: bool = False
    refused: VerifyResult | None = None


async def _last_good(uow: UnitOfWork, key: SigningKey) -> Checkpoint | None:
    """The newest checkpoint this key really signed (a row someone forged does not count)."""
    check = signature_check(keys_by_id(key.public_key))
    for checkpoint in await uow.audit.checkpoints_newest_first(key_id=key.key_id):
        if check(checkpoint):
            return checkpoint
    return None


async def sign_checkpoint(uow: UnitOfWork, key: SigningKey, now: datetime) -> CheckpointOutcome:
    """Sign the chain head, once the events since the last good checkpoint prove to extend it."""
    head = await uow.audit.head()
    if head is None or head[0] == 0:
        return CheckpointOutcome(None)
    anchor = await _last_good(uow, key)
    if anchor is not None and anchor.last_event_id == head[0] and anchor.head_hash == head[1]:
        return CheckpointOutcome(anchor)
    verifier = ChainVerifier(
        [anchor] if anchor else [], signature_check(keys_by_id(key.public_key)), from_genesis=anchor is None, head=head
    )
    start = anchor.last_event_id - 1 if anchor else 0
    async for row in uow.audit.chain(after_id=start, through_id=head[0]):
        if not verifier.feed(row):
            break
    result = verifier.finish()
    if not result.intact or (anchor is not None and result.signed_through != anchor.last_event_id):
        # Refused. The whole log says where it first goes wrong (the piece checked here starts at the anchor).
        whole = await verify_log(uow, keys_by_id(key.public_key))
        return CheckpointOutcome(None, refused=whole if not whole.intact else result)
    signature = key.sign(checkpoint_message(*head))
    made = await uow.audit.add_checkpoint(Checkpoint(head[0], head[1], key.key_id, signature, at=now))
    return CheckpointOutcome(made, created=True)


class CheckpointSchedule:
    """The server's periodic anchoring: a checkpoint when the last one is `every` old and events came since.
    `tick()` does one look; `run()` repeats it until stopped. Time is the injected clock's."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        key: SigningKey,
        *,
        every: timedelta = CHECKPOINT_EVERY,
        poll_seconds: float = CHECKPOINT_POLL_SECONDS,
    ) -> None:
        self.store = store
        self.clock = clock
        self.key = key
        self.every = every
        self.poll_seconds = poll_seconds

    async def tick(self) -> CheckpointOutcome | None:
        """Sign a checkpoint if one is due; None when none is."""
        now = self.clock.now()
        async with self.store.reading() as uow:
            head = await uow.audit.head()
            latest = await uow.audit.checkpoints_newest_first(key_id=self.key.key_id, limit=1)
        if head is None or head[0] == 0:
            return None
        if latest and (latest[0].last_event_id >= head[0] or _younger(latest[0], now, self.every)):
            return None
        async with self.store.transaction() as uow:
            outcome = await sign_checkpoint(uow, self.key, now)
        if outcome.refused is not None:
            log.error("audit checkpoint refused: %s", outcome.refused.summary())
        elif outcome.created and outcome.checkpoint is not None:
            log.info("audit checkpoint signed at %s", event_ref(outcome.checkpoint.last_event_id))
        return outcome

    async def run(self, stop: asyncio.Event) -> None:
        await repeat(self.tick, self.poll_seconds, stop, what="audit checkpoint", log=log)


def _younger(checkpoint: Checkpoint, now: datetime, every: timedelta) -> bool:
    return checkpoint.at is not None and now - checkpoint.at < every
