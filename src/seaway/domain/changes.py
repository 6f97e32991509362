"""What a release changes compared with another (the one last deployed to the same environment).

Approvers see this summary in the approval email and on the confirmation page, so it names steps and
variables but never shows the value of a sensitive variable, not even that of the older release.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from seaway.domain.process import Step
from seaway.domain.releases import Release
from seaway.domain.variables import Prompt, Scope, Variable


@dataclass(frozen=True)
class ReleaseChanges:
    previous_version: str | None  # None: nothing was deployed to the environment before
    version: str
    steps_added: tuple[str, ...] = ()
    steps_removed: tuple[str, ...] = ()
    steps_changed: tuple[str, ...] = ()
    variables_added: tuple[str, ...] = ()
    variables_removed: tuple[str, ...] = ()
    variables_changed: tuple[str, ...] = ()
    sensitive: frozenset[str] = field(default_factory=frozenset)  # lower-cased names of sensitive variables
    packages_changed: tuple[tuple[str, str | None, str | None], ...] = ()  # (step, before, after)
    notes_changed: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.steps_added
            or self.steps_removed
            or self.steps_changed
            or self.variables_added
            or self.variables_removed
            or self.variables_changed
            or self.packages_changed
            or self.notes_changed
        )


def _by_name(steps: Sequence[Step]) -> dict[str, Step]:
    return {step.name.lower(): step for step in steps}


_Value = tuple[str, Scope, bool, Prompt | None]


def _variable_groups(variables: Sequence[Variable]) -> dict[str, tuple[str, frozenset[_Value]]]:
    """Name (folded) → (first spelling, every value with its scope). Neither the order of the values nor
    the case of the name's spelling is a change."""
    groups: dict[str, tuple[str, set[_Value]]] = {}
    for v in variables:
        groups.setdefault(v.name.lower(), (v.name, set()))[1].add((v.value, v.scope, v.sensitive, v.prompt))
    return {key: (spelling, frozenset(values)) for key, (spelling, values) in groups.items()}


def compare_releases(previous: Release | None, current: Release) -> ReleaseChanges:
    if previous is None:
        return ReleaseChanges(previous_version=None, version=current.version)
    old_steps, new_steps = _by_name(previous.process), _by_name(current.process)
    old_vars, new_vars = _variable_groups(previous.variables), _variable_groups(current.variables)
    old_packages = {p.step: p.version for p in previous.packages}
    new_packages = {p.step: p.version for p in current.packages}
    sensitive = frozenset(v.name.lower() for v in (*previous.variables, *current.variables) if v.sensitive)
    return ReleaseChanges(
        previous_version=previous.version,
        version=current.version,
        steps_added=tuple(s.name for key, s in new_steps.items() if key not in old_steps),
        steps_removed=tuple(s.name for key, s in old_steps.items() if key not in new_steps),
        steps_changed=tuple(s.name for key, s in new_steps.items() if key in old_steps and old_steps[key] != s),
        variables_added=tuple(name for key, (name, _) in new_vars.items() if key not in old_vars),
        variables_removed=tuple(name for key, (name, _) in old_vars.items() if key not in new_vars),
        variables_changed=tuple(
            name for key, (name, values) in new_vars.items() if key in old_vars and old_vars[key][1] != values
        ),
        sensitive=sensitive,
        packages_changed=tuple(
            (step, old_packages.get(step), new_packages.get(step))
            for step in sorted(set(old_packages) | set(new_packages), key=str.lower)
            if old_packages.get(step) != new_packages.get(step)
        ),
        notes_changed=previous.notes.strip() != current.notes.strip(),
    )


def change_lines(changes: ReleaseChanges, environment: str) -> list[str]:
    """Short, one-line descriptions for emails and pages."""
    if changes.previous_version is None:
        return [f"First deployment to {environment}: nothing to compare with"]
    lines = [f"Release {changes.previous_version} → {changes.version}"]
    lines += [f'Step added: "{name}"' for name in changes.steps_added]
    lines += [f'Step removed: "{name}"' for name in changes.steps_removed]
    lines += [f'Step changed: "{name}"' for name in changes.steps_changed]
    for label, names in (
        ("added", changes.variables_added),
        ("removed", changes.variables_removed),
        ("changed", changes.variables_changed),
    ):
        for name in names:
            marker = " (sensitive)" if name.lower() in changes.sensitive else ""
            lines.append(f'Variable {label}: "{name}"{marker}')
    for step, before, after in changes.packages_changed:
        lines.append(f'Package of "{step}": {before or "none"} → {after or "none"}')
    if changes.notes_changed:
        lines.append("Release notes changed")
    if changes.is_empty:
        lines.append("No changes to the process, variables or packages")
    return lines
