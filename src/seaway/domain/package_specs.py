"""Octopus's package-version specs (`Packages` of a release create): which version each package step takes.

An entry is `StepName:Version`, `PackageID:Version` or `StepName:PackageName:Version`. `*` stands for any
step, package id or package name, and so does a part left empty (`:1.0.1`, `Deploy::1.0.1`). Seaway's
steps each deploy one package, so a step's package name is its package id.

For each package step the most specific entry wins: one naming the step, then one naming its package id,
then one of wildcards only; a step no entry matches takes the default version (`PackageVersion`), and
without one is left out (it takes the latest version its channel allows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from seaway.domain.process import Step
from seaway.errors import InvalidInput

WILDCARD = "*"
FORMS = "StepName:Version, PackageID:Version or StepName:PackageName:Version"


class Match(IntEnum):
    """How specifically an entry names a step; lower wins."""

    STEP = 0
    PACKAGE = 1
    ANY = 2


@dataclass(frozen=True)
class PackageSpec:
    """One `Packages` entry: `target` (a step name or package id) and `package` are `*` when left out."""

    index: int
    text: str
    target: str
    package: str
    version: str

    @property
    def field(self) -> str:
        return f"Packages[{self.index}]"

    def match(self, step: Step, package_id: str) -> Match | None:
        """How this entry names the step deploying `package_id`; None: it does not."""
        target, package = self.target.lower(), self.package.lower()
        if package not in (WILDCARD, package_id.lower()):
            return None
        if target == step.name.lower():
            return Match.STEP
        if target == package_id.lower() or (target == WILDCARD and package != WILDCARD):
            return Match.PACKAGE
        return Match.ANY if target == WILDCARD else None


def parse_spec(text: str, index: int) -> PackageSpec:
    parts = [part.strip() for part in text.split(":")]
    if len(parts) not in (2, 3) or not parts[-1]:
        raise InvalidInput(f'"{text}" is not a package version: use {FORMS}', field=f"Packages[{index}]")
    target = parts[0] or WILDCARD
    package = (parts[1] or WILDCARD) if len(parts) == 3 else WILDCARD
    return PackageSpec(index, text, target, package, parts[-1])


def pinned_versions(
    steps: Sequence[tuple[Step, str, str]], specs: Sequence[str], default: str | None = None
) -> dict[str, str]:
    """`{step name: version}` for the package steps (`package_selection.package_steps`) that `specs` or
    `default` give a version. An entry that names no step, or two equally specific entries that give one
    step different versions, is an InvalidInput naming the entry (`Packages[2]`)."""
    parsed = [parse_spec(text, index) for index, text in enumerate(specs)]
    used: set[int] = set()
    pinned: dict[str, str] = {}
    for step, package_id, _ in steps:
        matches = [(found, spec) for spec in parsed if (found := spec.match(step, package_id)) is not None]
        used.update(spec.index for _, spec in matches)
        if not matches:
            if default:
                pinned[step.name] = default
            continue
        best = min(found for found, _ in matches)
        chosen = [spec for found, spec in matches if found is best]
        _refuse_disagreement(step, chosen)
        pinned[step.name] = chosen[0].version
    for spec in parsed:
        if spec.index not in used and (spec.target != WILDCARD or spec.package != WILDCARD):
            raise InvalidInput(
                f'"{spec.text}": no step or package named "{_named(spec)}" deploys a package', field=spec.field
            )
    return pinned


def _refuse_disagreement(step: Step, chosen: Sequence[PackageSpec]) -> None:
    first = chosen[0]
    for other in chosen[1:]:
        if other.version.lower() != first.version.lower():
            raise InvalidInput(
                f'"{other.text}" and "{first.text}" ({first.field}) give step "{step.name}" different versions',
                field=other.field,
            )


def _named(spec: PackageSpec) -> str:
    return spec.target if spec.package == WILDCARD else f"{spec.target}:{spec.package}"
