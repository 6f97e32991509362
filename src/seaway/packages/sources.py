"""Where a deployment gets a release's package file from: the built-in feed, or an external feed's cache."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from seaway.domain.packages import PackageReference


class PackageSource(Protocol):
    async def fetch(self, reference: PackageReference) -> Path:
        """A local file holding exactly that package (its SHA-256 checked), downloaded at most once per hash.

        Raises `PackageUnavailable` naming the feed when it cannot be had."""
        ...
