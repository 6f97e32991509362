"""`machine_policies:` in a config document.

```yaml
machine_policies:
  - name: Edge machines
    health_check: {every: 30m}      # default 1h
    connectivity: may-be-offline    # or expected-online (the default)
```
"""

from __future__ import annotations

from seaway.config.reader import Node
from seaway.domain.environments import validate_name
from seaway.domain.machine_policies import DEFAULT_HEALTH_CHECK_EVERY, MachinePolicy, PolicyConnectivity, parse_interval


def parse_machine_policies(node: Node) -> tuple[tuple[MachinePolicy, str], ...]:
    policies: list[tuple[MachinePolicy, str]] = []
    for item in node.items():
        policy = parse_machine_policy(item)
        if any(other.name.lower() == policy.name.lower() for other, _ in policies):
            raise Node(None, item.child_path("name")).fail(f'the machine policy "{policy.name}" is listed twice')
        policies.append((policy, item.path))
    return tuple(policies)


def parse_machine_policy(node: Node) -> MachinePolicy:
    m = node.mapping({"name", "health_check", "connectivity"}, {"name"})
    every = DEFAULT_HEALTH_CHECK_EVERY
    if "health_check" in m:
        every_node = m["health_check"].mapping({"every"}, {"every"})["every"]
        every = parse_interval(every_node.string(), field=every_node.path)
    connectivity = PolicyConnectivity.EXPECTED_ONLINE
    if "connectivity" in m:
        text = m["connectivity"].string()
        if text not in {c.value for c in PolicyConnectivity}:
            choices = " or ".join(c.value for c in PolicyConnectivity)
            raise m["connectivity"].fail(f'expected {choices}, got "{text}"')
        connectivity = PolicyConnectivity(text)
    return MachinePolicy(validate_name(m["name"].string(), field=m["name"].path), every, connectivity)
