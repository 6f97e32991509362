"""Channels: which package versions a release of a project may take, and which lifecycle it then follows.

Every project has a default channel (no rules, the project's lifecycle). A named channel's version rules
apply per step: a NuGet version range and a pre-release tag regular expression, so a `-beta` build can be
kept out of the channel that reaches Prod. Rules apply only when a release is created.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from seaway.errors import InvalidInput

DEFAULT_CHANNEL = "Default"


@dataclass(frozen=True)
class VersionRule:
    step: str
    versions: str | None = None  # a NuGet range, e.g. "[1.0,2.0)"
    tag: str | None = None  # a regular expression over the pre-release tag; "^$" allows stable versions only


@dataclass(frozen=True)
class Channel:
    name: str
    lifecycle: str | None = None  # None: the project's lifecycle
    rules: tuple[VersionRule, ...] = ()

    def rule_for(self, step: str) -> VersionRule | None:
        return next((r for r in self.rules if r.step.lower() == step.lower()), None)


def channel_named(channels: Sequence[Channel], name: str | None) -> Channel:
    """The channel a release is created in: the named one, or the default."""
    if name is None or name.lower() == DEFAULT_CHANNEL.lower():
        found = next((c for c in channels if c.name.lower() == DEFAULT_CHANNEL.lower()), None)
        return found or Channel(DEFAULT_CHANNEL)
    for channel in channels:
        if channel.name.lower() == name.lower():
            return channel
    known = ", ".join([DEFAULT_CHANNEL, *(c.name for c in channels if c.name.lower() != DEFAULT_CHANNEL.lower())])
    raise InvalidInput(f'the project has no channel "{name}" (it has {known})', field="channel")


def validate_channels(channels: Sequence[Channel], step_names: Sequence[str], *, path: str) -> None:
    seen: set[str] = set()
    steps = {s.lower() for s in step_names}
    for index, channel in enumerate(channels):
        where = f"{path}[{index}]"
        if channel.name.lower() in seen:
            raise InvalidInput(f'channel name "{channel.name}" is used twice', field=f"{where}.name")
        seen.add(channel.name.lower())
        for r_index, rule in enumerate(channel.rules):
            rule_path = f"{where}.rules[{r_index}]"
            if rule.step.lower() not in steps:
                raise InvalidInput(f'the process has no step "{rule.step}"', field=f"{rule_path}.step")
            if rule.tag is not None:
                try:
                    re.compile(rule.tag)
                except re.error as exc:
                    raise InvalidInput(f"not a regular expression: {exc}", field=f"{rule_path}.tag") from None
