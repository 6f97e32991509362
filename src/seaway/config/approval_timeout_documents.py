"""A policy's `timeout:` and `reminders:` keys, in the config document and the API body alike.

    timeout: {after: 24h, action: escalate, escalate_to: [Release Managers]}   # action: reject | escalate
    reminders: {every: 4h}

Durations are written as machine policies' intervals are (`30m`, `4h`, `2d`, `1h30m`). The teams named in
`escalate_to` must exist; that is checked when the document is applied (`engine/policies.check_policy`).
"""

from __future__ import annotations

from dataclasses import replace

from seaway.config.reader import Node
from seaway.domain.approval_timeouts import ApprovalTimeout, TimeoutAction, parse_action, parse_after, parse_every
from seaway.domain.environments import validate_name
from seaway.domain.policies import ApprovalPolicy

TIMEOUT_KEYS = {"timeout", "reminders"}


def with_timeouts(policy: ApprovalPolicy, keys: dict[str, Node]) -> ApprovalPolicy:
    """`policy` with the timeout and reminders of its document's `keys` (the policy's mapping)."""
    timeout = parse_timeout(keys["timeout"]) if "timeout" in keys else None
    every = None
    if "reminders" in keys:
        every_node = keys["reminders"].mapping({"every"}, {"every"})["every"]
        every = parse_every(every_node.string(), field=every_node.path)
    return replace(policy, timeout=timeout, remind_every=every)


def parse_timeout(node: Node) -> ApprovalTimeout:
    m = node.mapping({"after", "action", "escalate_to"}, {"after", "action"})
    action = parse_action(m["action"].string(), field=m["action"].path)
    escalate_to: tuple[str, ...] = ()
    if "escalate_to" in m:
        escalate_node = m["escalate_to"]
        items = [escalate_node] if isinstance(escalate_node.value, str) else list(escalate_node.items())
        escalate_to = tuple(validate_name(n.string(), field=n.path) for n in items)
    if action is TimeoutAction.REJECT and escalate_to:
        raise m["escalate_to"].fail("only a timeout that escalates names teams to escalate to")
    if action is TimeoutAction.ESCALATE and not escalate_to:
        raise Node(None, node.child_path("escalate_to")).fail("escalating needs the teams to escalate to")
    return ApprovalTimeout(parse_after(m["after"].string(), field=m["after"].path), action, escalate_to)
