"""The audit log's hash chain and its signed checkpoints, checked without a database.

Each event is hashed over its canonical JSON, which includes the previous event's hash (`prev_hash`), so
changing, removing, adding or reordering an event breaks every link after it. Anyone who can write the
database could recompute the whole chain, so its head is also signed from time to time with a key kept
outside the database: a checkpoint (`last_event_id`, `head_hash`, signature). A verifier needs the events,
the checkpoints and the public key; `verify_chain` works as well on an export file as on the live tables.

Canonical JSON: an object of exactly the `CHAIN_FIELDS`, keys sorted, no whitespace, UTF-8 (non-ASCII
characters as themselves), `at` as UTC text `YYYY-MM-DDTHH:MM:SS.ffffffZ`, `details` as stored.
`hash = sha256(canonical JSON).hexdigest()`; the first event's `prev_hash` is `GENESIS_HASH`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

GENESIS_HASH = "0" * 64
EVENT_KIND = "AuditEvents"
CHAIN_FIELDS = (
    "id",
    "at",
    "actor",
    "actor_user_id",
    "actor_kind",
    "auth",
    "channel",
    "ip",
    "user_agent",
    "action",
    "entity",
    "entity_id",
    "project",
    "environment",
    "details",
    "prev_hash",
)
_CHECKPOINT_DOMAIN = "seaway-audit-checkpoint:v1"


def event_ref(event_id: int) -> str:
    """The public id of an event: `AuditEvents-7`."""
    return f"{EVENT_KIND}-{event_id}"


def utc_text(at: datetime | str) -> str:
    """A time as the chain hashes it. Text is read back (an export's `at`); a time without a zone is refused."""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    if moment.tzinfo is None:
        raise ValueError(f"{at!r} has no time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def chain_fields(values: Mapping[str, object]) -> dict[str, object]:
    """The fields that are hashed, taken from a row, an event or an export entry (other keys are ignored)."""
    fields = {name: values[name] for name in CHAIN_FIELDS}
    at = fields["at"]
    assert isinstance(at, datetime | str)
    fields["at"] = utc_text(at)
    return fields


def canonical_json(values: Mapping[str, object]) -> str:
    return json.dumps(chain_fields(values), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def event_hash(prev_hash: str, event_fields: Mapping[str, object]) -> str:
    """The SHA-256 (hex) of the event's canonical JSON, chained to `prev_hash`."""
    return hashlib.sha256(canonical_json({**event_fields, "prev_hash": prev_hash}).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Checkpoint:
    """A signed chain head: whoever holds the public key can tell the chain up to `last_event_id` is the one
    that was signed."""

    last_event_id: int
    head_hash: str
    key_id: str  # SHA-256 (hex) of the raw public key that verifies the signature
    signature: str  # hex
    at: datetime | None = None
    id: int | None = None

    @property
    def label(self) -> str:
        return (
            f"checkpoint {self.id} ({event_ref(self.last_event_id)})"
            if self.id
            else f"the checkpoint at {event_ref(self.last_event_id)}"
        )


def checkpoint_message(last_event_id: int, head_hash: str) -> bytes:
    """What a checkpoint's key signs."""
    return f"{_CHECKPOINT_DOMAIN}:{last_event_id}:{head_hash}".encode("ascii")


SignatureCheck = Callable[[Checkpoint], bool]


@dataclass(frozen=True)
class VerifyResult:
    intact: bool
    events: int
    first_event_id: int | None
    last_event_id: int | None
    checkpoints: int  # the checkpoints whose signature and head were checked and held
    signed_through: int | None  # the last event a good checkpoint vouches for
    bad_event_id: int | None = None  # the first event that cannot be trusted
    bad_checkpoint_id: int | None = None
    reason: str = ""

    def summary(self) -> str:
        """One line: what was checked, or the first bad event and why."""
        if not self.intact:
            where = event_ref(self.bad_event_id) if self.bad_event_id is not None else "the audit log"
            return f"NOT intact: {where}: {self.reason}"
        if self.first_event_id is None or self.last_event_id is None:
            return f"intact: no events, {self.checkpoints} checkpoint(s)"
        span = f"{event_ref(self.first_event_id)} … {event_ref(self.last_event_id)}"
        signed = (
            f"signed through {event_ref(self.signed_through)}" if self.signed_through is not None else "none signed yet"
        )
        later = self.last_event_id - self.signed_through if self.signed_through is not None else self.events
        pending = f" ({later} later event(s) not signed yet)" if self.signed_through != self.last_event_id else ""
        return f"intact: {self.events} event(s) ({span}), {self.checkpoints} checkpoint(s), {signed}{pending}"


class ChainVerifier:
    """Checks events fed one at a time in chain order, and the checkpoints that fall on them.

    `from_genesis`: the first event must start the chain (a whole log). Otherwise (an export of a range) the
    first event's `prev_hash` is taken as given, and checkpoints before it are not about these events.
    `head`: the stored chain head (`last_event_id`, `last_hash`), when there is one to compare with.
    `require_signed_end`: the last event must be vouched for by a checkpoint (an export always is).
    """

    def __init__(
        self,
        checkpoints: Iterable[Checkpoint],
        public_key_check: SignatureCheck,
        *,
        from_genesis: bool = False,
        head: tuple[int, str] | None = None,
        require_signed_end: bool = False,
    ) -> None:
        self._pending = sorted(checkpoints, key=lambda c: (c.last_event_id, c.id or 0))
        self._check = public_key_check
        self._from_genesis = from_genesis
        self._head = head
        self._require_signed_end = require_signed_end
        self._count = 0
        self._first: int | None = None
        self._last: tuple[int, str] | None = None  # id and hash of the last good event
        self._signed: int | None = None
        self._good_checkpoints = 0
        self._bad: tuple[int | None, int | None, str] | None = None

    @property
    def broken(self) -> bool:
        return self._bad is not None

    def _fail(self, event_id: int | None, reason: str, checkpoint: Checkpoint | None = None) -> bool:
        self._bad = (event_id, checkpoint.id if checkpoint else None, reason)
        return False

    def _unvouched(self) -> int:
        """The first event no good checkpoint vouches for: where a recomputed chain may begin."""
        if self._signed is not None:
            return self._signed + 1
        return self._first if self._first is not None else 1

    def feed(self, event: Mapping[str, object]) -> bool:
        """Check the next event; False once the chain is broken (feed no more)."""
        if self._bad is not None:
            return False
        event_id, prev_hash, stored = event["id"], event["prev_hash"], event["hash"]
        assert isinstance(event_id, int) and isinstance(prev_hash, str) and isinstance(stored, str)
        if not self._links(event_id, prev_hash):
            return False
        if self._head is not None and event_id > self._head[0]:
            return self._fail(event_id, f"it is beyond the chain head ({event_ref(self._head[0])}): inserted")
        if event_hash(prev_hash, event) != stored:
            return self._fail(event_id, "its content does not match its hash: edited")
        if self._first is None:
            self._first = event_id
        # The checkpoints on the event before are checked now, once this one proved to follow it: a forged event
        # that stands in for a signed one is then named by its place in the chain, not by its checkpoint.
        if not self._checkpoints_before(event_id):
            return False
        self._count += 1
        self._last = (event_id, stored)
        return True

    def _links(self, event_id: int, prev_hash: str) -> bool:
        if self._last is None:
            if self._from_genesis and prev_hash != GENESIS_HASH:
                if event_id > 1:
                    return self._fail(1, f"the events before {event_ref(event_id)} are missing: deleted")
                return self._fail(event_id, "its prev_hash is not the start of the chain: edited")
            return True
        last_id, last_hash = self._last
        if event_id <= last_id:
            return self._fail(event_id, f"it comes after {event_ref(last_id)}: out of order (inserted or reordered)")
        if prev_hash == last_hash:
            return True
        if event_id > last_id + 1:
            return self._fail(last_id + 1, f"missing between {event_ref(last_id)} and {event_ref(event_id)}: deleted")
        return self._fail(
            event_id,
            f"its prev_hash is not the hash of {event_ref(last_id)}: an event was inserted, replaced or reordered",
        )

    def _checkpoints_before(self, limit: int) -> bool:
        """Check the pending checkpoints on events before `limit`: they must fall on the last event checked."""
        while self._pending and self._pending[0].last_event_id < limit:
            checkpoint = self._pending.pop(0)
            signed_id = checkpoint.last_event_id
            if signed_id < (self._first or 0):
                continue  # before this range: about other events
            if self._last is None or signed_id != self._last[0]:
                return self._fail(
                    signed_id, f"{checkpoint.label} signed an event that is not in the chain: deleted", checkpoint
                )
            if not self._check(checkpoint):
                return self._fail(
                    self._unvouched(),
                    f"{checkpoint.label} is not signed by the audit key (key id {checkpoint.key_id[:16]}…): forged or "
                    f"altered, so nothing vouches for the events from here to {event_ref(signed_id)}",
                    checkpoint,
                )
            if checkpoint.head_hash != self._last[1]:
                return self._fail(
                    self._unvouched(),
                    f"the chain from here to {event_ref(signed_id)} is not the one {checkpoint.label} signed: "
                    "recomputed after a change",
                    checkpoint,
                )
            self._signed = signed_id
            self._good_checkpoints += 1
        return True

    def finish(self) -> VerifyResult:
        if self._bad is None:
            self._check_the_end()
        bad_event, bad_checkpoint, reason = self._bad or (None, None, "")
        return VerifyResult(
            intact=self._bad is None,
            events=self._count,
            first_event_id=self._first,
            last_event_id=self._last[0] if self._last else None,
            checkpoints=self._good_checkpoints,
            signed_through=self._signed,
            bad_event_id=bad_event,
            bad_checkpoint_id=bad_checkpoint,
            reason=reason,
        )

    def _check_the_end(self) -> None:
        last_id = self._last[0] if self._last else None
        after = (last_id or 0) + 1
        if not self._checkpoints_before(after):
            return
        if self._pending:  # every checkpoint left names an event after the last one
            checkpoint = self._pending[0]
            self._fail(after, f"{checkpoint.label} signed an event that is not in the chain: deleted", checkpoint)
            return
        if self._head is not None:
            head_id, head_hash = self._head
            if head_id > (last_id or 0):
                self._fail(after, f"the chain head is {event_ref(head_id)}, so the events from here on were deleted")
                return
            if self._last is not None and head_hash != self._last[1]:
                self._fail(self._unvouched(), f"the chain head holds another hash for {event_ref(head_id)}: recomputed")
                return
        if self._require_signed_end and last_id is not None and self._signed != last_id:
            self._fail(
                self._unvouched(), f"no signed checkpoint vouches for the events from here to {event_ref(last_id)}"
            )


def verify_chain(
    events: Iterable[Mapping[str, object]],
    checkpoints: Iterable[Checkpoint],
    public_key_check: SignatureCheck,
    *,
    from_genesis: bool = False,
    head: tuple[int, str] | None = None,
    require_signed_end: bool = False,
) -> VerifyResult:
    """Check a chain in id order and its checkpoints; the result names the first bad event and why."""
    verifier = ChainVerifier(
        checkpoints, public_key_check, from_genesis=from_genesis, head=head, require_signed_end=require_signed_end
    )
    for event in events:
        if not verifier.feed(event):
            break
    return verifier.finish()
