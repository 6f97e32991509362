"""Exporting a range of the audit log: sign the head first, then gather the events and what vouches for them.

A range is a piece of chain: from the first event at or after `since` to the last before `until`. The export
also carries the events after the range up to the first checkpoint (by the export's key) on or after its
end, so the piece reaches a signature, and every checkpoint that falls on those events.
"""

from __future__ import annotations

from datetime import datetime

from seaway.domain.audit_chain import Checkpoint, VerifyResult
from seaway.domain.audit_exports import AuditExport, export_event
from seaway.engine.audit_checkpoints import keys_by_id, sign_checkpoint, signature_check
from seaway.security.signing import SigningKey
from seaway.store.unit_of_work import Store, UnitOfWork


async def export_range(
    store: Store, key: SigningKey, since: datetime | None, until: datetime | None, now: datetime
) -> AuditExport | VerifyResult:
    """The export, or the verification that refused to sign the head (then nothing should be written)."""
    async with store.transaction() as uow:
        outcome = await sign_checkpoint(uow, key, now)
    if outcome.refused is not None:
        return outcome.refused
    async with store.reading() as uow:  # the read holds no write lock, however long the range
        return await _gather(uow, key, since, until, now)


async def _gather(
    uow: UnitOfWork, key: SigningKey, since: datetime | None, until: datetime | None, now: datetime
) -> AuditExport:
    empty = AuditExport(exported_at=now, key_id=key.key_id, since=since, until=until)
    span = await uow.audit.id_range(since, until)
    if span is None:
        return empty
    first, last = span
    anchor = await _anchor_from(uow, key, last)
    end = anchor.last_event_id if anchor else last
    rows = [row async for row in uow.audit.chain(after_id=first - 1, through_id=end)]
    return AuditExport(
        exported_at=now,
        key_id=key.key_id,
        since=since,
        until=until,
        events=[export_event(row) for row in rows if row["id"] <= last],
        anchor_events=[export_event(row) for row in rows if row["id"] > last],
        checkpoints=await uow.audit.checkpoints(from_event=first, through_event=end),
    )


async def _anchor_from(uow: UnitOfWork, key: SigningKey, event_id: int) -> Checkpoint | None:
    """The first checkpoint on or after `event_id` that this key really signed."""
    check = signature_check(keys_by_id(key.public_key))
    for checkpoint in await uow.audit.checkpoints(from_event=event_id):
        if checkpoint.key_id == key.key_id and check(checkpoint):
            return checkpoint
    return None
