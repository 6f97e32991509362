"""How channels and package references are kept in JSON columns."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from seaway.domain.channels import Channel, VersionRule
from seaway.domain.packages import BUILTIN_FEED, PackageFormat, PackageReference


def channels_to_json(channels: Iterable[Channel]) -> list[dict[str, Any]]:
    return [
        {
            "name": c.name,
            "lifecycle": c.lifecycle,
            "rules": [{"step": r.step, "versions": r.versions, "tag": r.tag} for r in c.rules],
        }
        for c in channels
    ]


def channels_from_json(data: Iterable[Mapping[str, Any]] | None) -> tuple[Channel, ...]:
    return tuple(
        Channel(
            c["name"],
            c.get("lifecycle"),
            tuple(VersionRule(r["step"], r.get("versions"), r.get("tag")) for r in c.get("rules", ())),
        )
        for c in data or ()
    )


def references_to_json(references: Iterable[PackageReference]) -> list[dict[str, Any]]:
    return [
        {
            "step": r.step,
            "package_id": r.package_id,
            "version": r.version,
            "feed": r.feed,
            "sha256": r.sha256,
            "format": str(r.format),
        }
        for r in references
    ]


def references_from_json(data: Iterable[Any] | None) -> tuple[PackageReference, ...]:
    return tuple(
        PackageReference(
            r["step"],
            r.get("package_id", r["step"]),
            r["version"],
            r.get("feed", BUILTIN_FEED),
            r.get("sha256", ""),
            PackageFormat(r.get("format", "zip")),
        )
        for r in data or ()
    )
