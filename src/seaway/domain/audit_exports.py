"""An audit export: a piece of the chain with the signed checkpoints that vouch for it, as a file.

The JSON form is what `seaway audit verify --file` reads, with no server and no database:

    {"format": "seaway-audit-export/1", "exported_at": …, "from": …, "to": …, "key_id": …,
     "events": [...],          # the requested range, in chain order
     "anchor_events": [...],   # the events after it, up to the first checkpoint on or after its end
     "checkpoints": [...]}     # every checkpoint that falls on those events

Each event is exactly the chain's fields (`audit_chain.CHAIN_FIELDS`) plus its `hash`, so a verifier
written in any language drops `hash`, serialises the rest canonically and compares. The CSV form (one row per
event of the range, `details` as its canonical JSON) is for spreadsheets; it carries the hashes too.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from seaway.domain.audit_chain import CHAIN_FIELDS, Checkpoint, chain_fields, utc_text
from seaway.errors import InvalidInput

FORMAT = "seaway-audit-export/1"
EVENT_KEYS = frozenset({*CHAIN_FIELDS, "hash"})
CSV_COLUMNS = (*CHAIN_FIELDS, "hash")
_TEXT = ("actor", "actor_kind", "action", "entity", "entity_id", "prev_hash", "hash")
_OPTIONAL_TEXT = ("auth", "channel", "ip", "user_agent", "project", "environment")
_CHECKPOINT_KEYS = frozenset({"id", "at", "last_event_id", "head_hash", "key_id", "signature"})


def parse_bound(text: str, *, field: str) -> datetime:
    """A range bound as people type it: `2026-03-01`, `2026-03-01T09:30`, with a zone or without (UTC)."""
    try:
        moment = datetime.fromisoformat(text.strip())
        return (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidInput(
            f'"{text[:40]}" is not a time (expected 2026-03-01 or 2026-03-01T09:30:00Z)', field=field
        ) from None


def parse_period(
    since: str | None, until: str | None, *, fields: tuple[str, str] = ("from", "to"), ordered: str | None = None
) -> tuple[datetime | None, datetime | None]:
    """A range's bounds (`parse_bound`), None where not given; with `ordered` (what the range is called), one
    that ends before it starts is refused."""
    start = parse_bound(since, field=fields[0]) if since is not None else None
    end = parse_bound(until, field=fields[1]) if until is not None else None
    if ordered is not None and start is not None and end is not None and end <= start:
        raise InvalidInput(f"the end of the {ordered} must come after its start", field=fields[1])
    return start, end


def export_event(row: Mapping[str, object]) -> dict[str, object]:
    """An event as the export holds it: its chain fields, `at` as UTC text, and its hash."""
    return {**chain_fields(row), "hash": row["hash"]}


@dataclass(frozen=True)
class AuditExport:
    exported_at: datetime | str
    key_id: str  # of the key that signed the export's own checkpoint
    since: datetime | str | None = None
    until: datetime | str | None = None
    events: Sequence[Mapping[str, object]] = ()
    anchor_events: Sequence[Mapping[str, object]] = ()
    checkpoints: Sequence[Checkpoint] = field(default=())

    @property
    def chain(self) -> list[Mapping[str, object]]:
        """Every event the file holds, in chain order: the range and the ones that reach its checkpoint."""
        return [*self.events, *self.anchor_events]


def _time(value: datetime | str | None) -> str | None:
    return None if value is None else utc_text(value)


def _checkpoint_json(checkpoint: Checkpoint) -> dict[str, object]:
    return {
        "id": checkpoint.id,
        "at": _time(checkpoint.at),
        "last_event_id": checkpoint.last_event_id,
        "head_hash": checkpoint.head_hash,
        "key_id": checkpoint.key_id,
        "signature": checkpoint.signature,
    }


def export_json(export: AuditExport) -> str:
    document = {
        "format": FORMAT,
        "exported_at": _time(export.exported_at),
        "from": _time(export.since),
        "to": _time(export.until),
        "key_id": export.key_id,
        "events": [export_event(e) for e in export.events],
        "anchor_events": [export_event(e) for e in export.anchor_events],
        "checkpoints": [_checkpoint_json(c) for c in export.checkpoints],
    }
    return json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"


def export_csv(export: AuditExport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for event in export.events:
        row = export_event(event)
        row["details"] = json.dumps(row["details"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        writer.writerow(["" if row[column] is None else row[column] for column in CSV_COLUMNS])
    return buffer.getvalue()


# -- reading an export back -------------------------------------------------------------------------


def read_export(text: str, *, field: str = "--file") -> AuditExport:
    """Parse a JSON export; errors name the path of what is wrong (`events[3].id`)."""
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise InvalidInput("not a JSON audit export (a CSV export is for spreadsheets only)", field=field) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise InvalidInput(f'not an audit export: "format" is not "{FORMAT}"', field=field)
    return AuditExport(
        exported_at=_required_time(document, "exported_at", "exported_at"),
        key_id=_typed(document, "key_id", str, "key_id"),
        since=_optional_time(document, "from", "from"),
        until=_optional_time(document, "to", "to"),
        events=_events(document, "events"),
        anchor_events=_events(document, "anchor_events"),
        checkpoints=[_read_checkpoint(c, f"checkpoints[{n}]") for n, c in enumerate(_list(document, "checkpoints"))],
    )


def _list(document: Mapping[str, Any], key: str) -> list[Any]:
    value = document.get(key)
    if not isinstance(value, list):
        raise InvalidInput("expected a list", field=key)
    return value


def _events(document: Mapping[str, Any], key: str) -> list[dict[str, object]]:
    return [_read_event(entry, f"{key}[{n}]") for n, entry in enumerate(_list(document, key))]


def _read_event(entry: object, path: str) -> dict[str, object]:
    if not isinstance(entry, dict):
        raise InvalidInput("expected an object", field=path)
    if set(entry) != EVENT_KEYS:
        odd = sorted(set(entry) ^ EVENT_KEYS)
        raise InvalidInput(f"an event has exactly the chain's fields and its hash; not so for {odd}", field=path)
    _typed(entry, "id", int, f"{path}.id")
    _typed(entry, "actor_user_id", int | None, f"{path}.actor_user_id")
    _typed(entry, "details", dict, f"{path}.details")
    for key in _TEXT:
        _typed(entry, key, str, f"{path}.{key}")
    for key in _OPTIONAL_TEXT:
        _typed(entry, key, str | None, f"{path}.{key}")
    _required_time(entry, "at", f"{path}.at")
    return dict(entry)


def _read_checkpoint(entry: object, path: str) -> Checkpoint:
    if not isinstance(entry, dict) or set(entry) != _CHECKPOINT_KEYS:
        raise InvalidInput(f"a checkpoint has exactly the keys {sorted(_CHECKPOINT_KEYS)}", field=path)
    return Checkpoint(
        last_event_id=_typed(entry, "last_event_id", int, f"{path}.last_event_id"),
        head_hash=_typed(entry, "head_hash", str, f"{path}.head_hash"),
        key_id=_typed(entry, "key_id", str, f"{path}.key_id"),
        signature=_typed(entry, "signature", str, f"{path}.signature"),
        at=_optional_time(entry, "at", f"{path}.at"),
        id=_typed(entry, "id", int | None, f"{path}.id"),
    )


def _typed(entry: Mapping[str, Any], key: str, kind: Any, path: str) -> Any:
    value = entry.get(key)
    allowed = (value is None and isinstance(None, kind)) or (not isinstance(value, bool) and isinstance(value, kind))
    if not allowed:
        raise InvalidInput(f"expected {_kind_name(kind)}, not {json.dumps(value)[:40]}", field=path)
    return value


def _kind_name(kind: Any) -> str:
    names = {int: "an integer", str: "text", dict: "an object"}
    return names.get(kind, " or ".join(names.get(k, "null") for k in getattr(kind, "__args__", (kind,))))


def _optional_time(entry: Mapping[str, Any], key: str, path: str) -> datetime | None:
    return None if entry.get(key) is None else _required_time(entry, key, path)


def _required_time(entry: Mapping[str, Any], key: str, path: str) -> datetime:
    value = _typed(entry, key, str, path)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{json.dumps(value)[:40]} is not a time", field=path) from None
    if moment.tzinfo is None:
        raise InvalidInput("a time needs its zone (`Z` for UTC)", field=path)
    return moment
