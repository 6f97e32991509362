"""What an edit changed, as the audit log records it: the fields that differ, before and after.

Sensitive values never reach the log: a field named in `sensitive` is recorded as changed, without values.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

SENSITIVE_MARK = "(sensitive value changed)"


def field_changes(
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
    *,
    sensitive: Collection[str] = (),
) -> dict[str, object]:
    """`{field: {"before": b, "after": a}}` for every field whose value differs; a created object has no
    `before`, a deleted one no `after`."""
    old = before or {}
    new = after or {}
    changes: dict[str, object] = {}
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key in sensitive:
            changes[key] = SENSITIVE_MARK
            continue
        entry: dict[str, object] = {}
        if before is not None:
            entry["before"] = old.get(key)
        if after is not None:
            entry["after"] = new.get(key)
        changes[key] = entry
    return changes
