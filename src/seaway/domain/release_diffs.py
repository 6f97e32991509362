"""What changed in a release's content, in words an approver reads: which variables (by name and scope), which
package versions, which process steps. A sensitive value is never shown, only that it changed.

Approvals are bound to a release's content (domain/change_requests.bound_content); when that content is
re-snapshotted, these lines tell the approvers asked again what they are now asked to approve.
"""

from __future__ import annotations

from collections.abc import Sequence

from seaway.domain.diffs import field_changes
from seaway.domain.packages import PackageReference
from seaway.domain.process import Step
from seaway.domain.releases import Release
from seaway.domain.variables import SCOPE_KEYS, Scope, Variable

SHOWN_VALUE_CHARACTERS = 60


def scope_words(scope: Scope) -> str:
    """`environment Prod, role web` or `unscoped`, each dimension in its fixed order, names sorted."""
    parts = []
    for key, singular in SCOPE_KEYS.items():
        names: frozenset[str] = getattr(scope, key)
        if names:
            parts.append(f"{singular} {', '.join(sorted(names, key=str.lower))}")
    return "; ".join(parts) or "unscoped"


def _shown(value: str) -> str:
    one_line = " ".join(value.split())
    if len(one_line) > SHOWN_VALUE_CHARACTERS:
        one_line = one_line[: SHOWN_VALUE_CHARACTERS - 1] + "…"
    return f'"{one_line}"'


def _variable_key(variable: Variable) -> str:
    return f"{variable.name} ({scope_words(variable.scope)})"


def _by_key(variables: Sequence[Variable]) -> dict[str, Variable]:
    """One entry per name and scope; a second value of the same name and scope is told apart by its place."""
    keyed: dict[str, Variable] = {}
    for variable in variables:
        key = _variable_key(variable)
        if key in keyed:
            key = f"{key} #{sum(k.startswith(key) for k in keyed) + 1}"
        keyed[key] = variable
    return keyed


def variable_changes(before: Sequence[Variable], after: Sequence[Variable]) -> tuple[str, ...]:
    old, new = _by_key(before), _by_key(after)
    sensitive = {k for k, v in (*old.items(), *new.items()) if v.sensitive}
    changed = field_changes(old, new, sensitive=sensitive)
    lines = []
    for key in changed:
        if key not in old:
            lines.append(f"variable {key} added")
        elif key not in new:
            lines.append(f"variable {key} removed")
        elif key in sensitive:
            lines.append(f"variable {key} changed (sensitive value)")
        elif old[key].value != new[key].value:
            lines.append(f"variable {key} changed: {_shown(old[key].value)} → {_shown(new[key].value)}")
        else:
            lines.append(f"variable {key} changed (its prompt)")
    return tuple(lines)


def _package_words(reference: PackageReference) -> str:
    return f"{reference.package_id} {reference.version}"


def package_changes(before: Sequence[PackageReference], after: Sequence[PackageReference]) -> tuple[str, ...]:
    old = {p.step: _package_words(p) for p in before}
    new = {p.step: _package_words(p) for p in after}
    lines = []
    for step, change in field_changes(old, new).items():
        if step not in old:
            lines.append(f"package of step {step} added: {new[step]}")
        elif step not in new:
            lines.append(f"package of step {step} removed: {old[step]}")
        else:
            assert isinstance(change, dict)
            lines.append(f"package of step {step}: {change['before']} → {change['after']}")
    return tuple(lines)


def step_changes(before: Sequence[Step], after: Sequence[Step]) -> tuple[str, ...]:
    old = {s.name: s for s in before}
    new = {s.name: s for s in after}
    lines = [f"step {name} added" for name in new if name not in old]
    lines += [f"step {name} removed" for name in old if name not in new]
    lines += [f"step {name} changed" for name in new if name in old and old[name] != new[name]]
    if not lines and [s.name for s in before] != [s.name for s in after]:
        lines.append("the steps' order changed")
    return tuple(lines)


def release_changes(before: Release, after: Release) -> tuple[str, ...]:
    """Every line of what changed between two snapshots of one release: steps, variables, packages."""
    return (
        *step_changes(before.process, after.process),
        *variable_changes(before.variables, after.variables),
        *package_changes(before.packages, after.packages),
    )
