"""Which package version each step of a new release takes: the one asked for, else the latest its channel
allows. The release then records exactly those files (id, version, feed, hash)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from seaway.domain.channels import Channel, VersionRule
from seaway.domain.packages import BUILTIN_FEED, PackageFormat, PackageReference, is_builtin
from seaway.domain.process import Step, package_of
from seaway.domain.semver import VersionRange, latest_version, parse_version
from seaway.errors import InvalidInput


@dataclass(frozen=True)
class Candidate:
    """A version a feed has of a package (the hash is known for the built-in feed, else found on download)."""

    version: str
    sha256: str = ""
    format: PackageFormat = PackageFormat.NUPKG


def feed_key(feed: str | None) -> str:
    return BUILTIN_FEED if is_builtin(feed) else (feed or "").lower()


def package_steps(process: Sequence[Step]) -> list[tuple[Step, str, str]]:
    """(step, package id, feed key) for each enabled-or-not step that deploys a package, in process order."""
    found = []
    for step in process:
        package = package_of(step)
        if package is not None:
            found.append((step, package[0], feed_key(package[1])))
    return found


def select_packages(
    process: Sequence[Step],
    channel: Channel,
    available: Mapping[tuple[str, str], Sequence[Candidate]],
    requested: Mapping[str, str],
) -> tuple[PackageReference, ...]:
    """`available` maps (feed key, lower-case package id) to the feed's versions; `requested` maps a step name
    or a package id (any case) to a version. Errors name the step and the package."""
    wanted = {key.lower(): version for key, version in requested.items()}
    steps = package_steps(process)
    step_names = {step.name.lower() for step, _, _ in steps}
    known = step_names | {package_id.lower() for _, package_id, _ in steps}
    for key in requested:
        if key.lower() not in known:
            raise InvalidInput(f'no step or package "{key}" in the process deploys a package', field=f"packages.{key}")
    chosen = []
    for step, package_id, feed in steps:
        candidates = available.get((feed, package_id.lower()), ())
        rule = channel.rule_for(step.name)
        # A key names a step before it names a package id: another step's name never pins this one.
        by_id = wanted.get(package_id.lower()) if package_id.lower() not in step_names else None
        asked = wanted.get(step.name.lower()) or by_id
        field = f"packages.{step.name}"
        if asked is not None:
            candidate = next((c for c in candidates if c.version.lower() == asked.lower()), None)
            if candidate is None:
                raise InvalidInput(
                    f'step "{step.name}": {_feed_label(feed)} has no version {asked} of package "{package_id}"',
                    field=field,
                )
            _check_rule(candidate.version, rule, channel, step, package_id, field)
        else:
            version = latest_version(
                [c.version for c in candidates],
                allowed=VersionRange.parse(rule.versions, field=f"channels.{channel.name}.versions")
                if rule and rule.versions
                else None,
                tag=rule.tag if rule else None,
            )
            if version is None:
                within = f' within channel "{channel.name}"\'s rule' if rule else ""
                raise InvalidInput(
                    f'step "{step.name}": {_feed_label(feed)} has no version of package "{package_id}"{within}',
                    field=field,
                )
            candidate = next(c for c in candidates if c.version == version)
        feed_name = BUILTIN_FEED if feed == BUILTIN_FEED else str((package_of(step) or ("", feed))[1])
        chosen.append(
            PackageReference(step.name, package_id, candidate.version, feed_name, candidate.sha256, candidate.format)
        )
    return tuple(chosen)


def _check_rule(
    version: str, rule: VersionRule | None, channel: Channel, step: Step, package_id: str, field: str
) -> None:
    if rule is None:
        return
    parsed = parse_version(version)
    allowed = latest_version(
        [version], allowed=VersionRange.parse(rule.versions) if rule.versions else None, tag=rule.tag
    )
    if parsed is None or allowed is None:
        limits = ", ".join(x for x in (rule.versions, f"tag {rule.tag}" if rule.tag else None) if x)
        raise InvalidInput(
            f'step "{step.name}": version {version} of "{package_id}" is outside channel "{channel.name}"\'s rule'
            f" ({limits})",
            field=field,
        )


def _feed_label(feed: str) -> str:
    return "the built-in feed" if feed == BUILTIN_FEED else f'feed "{feed}"'
