"""Packages: versioned files in a feed, and the versions a release takes of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

BUILTIN_FEED = "builtin"  # the feed name a step means when it names none
BUILTIN_FEED_ID = "feeds-builtin"  # Octopus's id for it, accepted wherever a feed is named


class PackageFormat(StrEnum):
    ZIP = "zip"
    TAR = "tar"
    TAR_GZ = "tar.gz"
    TAR_BZ2 = "tar.bz2"
    NUPKG = "nupkg"


class OverwriteMode(StrEnum):
    """What a push does when the feed already has that id and version (Octopus's `overwriteMode`)."""

    FAIL = "fail"  # FailIfExists: a 409
    OVERWRITE = "overwrite"  # OverwriteExisting: re-indexed from the new file
    IGNORE = "ignore"  # IgnoreIfExists: the existing one stays, the push succeeds


class FeedType(StrEnum):
    NUGET = "nuget"


@dataclass(frozen=True)
class PackageVersion:
    """One file in the built-in feed."""

    package_id: str
    version: str
    format: PackageFormat
    sha256: str
    size: int
    pushed_at: datetime
    pushed_by: int | None = None
    title: str = ""  # a nupkg's nuspec description, for the UI
    id: int | None = None

    @property
    def file_name(self) -> str:
        return f"{self.package_id}.{self.version}.{self.format}"


@dataclass(frozen=True)
class PackageReference:
    """What a release records for a step that deploys a package: exactly which file it deploys."""

    step: str
    package_id: str
    version: str
    feed: str = BUILTIN_FEED
    sha256: str = ""  # known at release time for the built-in feed; for an external feed after download
    format: PackageFormat = PackageFormat.ZIP


@dataclass(frozen=True)
class Feed:
    """An external feed. The password is kept encrypted by the store; here it is plain."""

    name: str
    type: FeedType
    url: str  # a NuGet v3 service index
    username: str | None = None
    password: str | None = None
    id: int | None = None


def is_builtin(feed: str | None) -> bool:
    return feed is None or feed.lower() in (BUILTIN_FEED, BUILTIN_FEED_ID, "built-in")
