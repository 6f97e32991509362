"""Approval policies, matched by name like every named resource."""

from __future__ import annotations

from typing import Any

from seaway.domain.approval_timeouts import every_from_json, every_to_json, timeout_from_json, timeout_to_json
from seaway.domain.change_windows import window_from_json, window_to_json
from seaway.domain.policies import ApprovalPolicy, QuorumClause
from seaway.store.base import NamedRepository, row_as, values_of
from seaway.store.policy_tables import approval_policies as t


class PolicyRepository(NamedRepository[ApprovalPolicy]):
    table, entity = t, "policy"

    def _record(self, row: Any) -> ApprovalPolicy:
        return row_as(
            ApprovalPolicy,
            row,
            quorum=tuple(QuorumClause(str(c["team"]), int(c["minimum"])) for c in row.quorum),
            timeout=timeout_from_json(row.timeout) if row.timeout else None,
            remind_every=every_from_json(row.remind_every),
            change_windows=tuple(window_from_json(w) for w in row.change_windows),
        )

    def _values(self, policy: ApprovalPolicy) -> dict[str, Any]:
        return values_of(
            policy,
            t,
            name_key=policy.name.lower(),
            quorum=[{"team": c.team, "minimum": c.minimum} for c in policy.quorum],
            timeout=timeout_to_json(policy.timeout) if policy.timeout else None,
            remind_every=every_to_json(policy.remind_every),
            change_windows=[window_to_json(w) for w in policy.change_windows],
        )
