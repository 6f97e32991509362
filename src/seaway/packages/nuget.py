"""An external NuGet v3 feed: the versions of a package, and its `.nupkg` downloaded whole or not at all.

Only the service index and the flat container (`PackageBaseAddress/3.0.0`) are used: they are all a
static feed has, and every NuGet server (nuget.org, Artifactory, Nexus, GitHub Packages) offers them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import quote

import httpx

from seaway.domain.packages import Feed
from seaway.errors import PackageUnavailable

PACKAGE_BASE_ADDRESS = "PackageBaseAddress/3.0.0"
DEFAULT_MAX_PACKAGE_BYTES = 10 * 1024**3

_VERSION_PARTS = re.compile(r"^(?P<release>\d+(?:\.\d+)*)(?P<rest>-.*)?$")


@dataclass(frozen=True)
class DownloadedPackage:
    path: Path
    sha256: str
    size: int


def normalized_version(version: str) -> str:
    """The version as a flat container spells it in URLs: NuGet's normalized form, lower case, no build metadata.

    `1.0` → `1.0.0`, `1.0.0.0` → `1.0.0`, `01.2.3-Beta+sha.5` → `1.2.3-beta`.
    """
    without_metadata = version.strip().split("+", 1)[0].lower()
    match = _VERSION_PARTS.match(without_metadata)
    if match is None:
        return without_metadata
    numbers = [int(part) for part in match["release"].split(".")]
    numbers += [0] * (3 - len(numbers))
    if len(numbers) == 4 and numbers[3] == 0:
        numbers.pop()
    return ".".join(str(n) for n in numbers) + (match["rest"] or "")


def _shown(url: httpx.URL | str) -> str:
    """A URL fit for an error message: any credentials written into it left out."""
    return str(httpx.URL(url).copy_with(username=None, password=None))


class NuGetFeed:
    """A client for one NuGet v3 feed. Use it as an async context manager, or `aclose()` it, when it made its own
    HTTP client; a client passed in is the caller's to close."""

    def __init__(
        self,
        feed: Feed,
        *,
        client: httpx.AsyncClient | None = None,
        timeout: float = 30.0,
        max_bytes: int = DEFAULT_MAX_PACKAGE_BYTES,
    ) -> None:
        self.feed = feed
        self.max_bytes = max_bytes
        self._owns_client = client is None
        self._http = client or httpx.AsyncClient(timeout=timeout)
        self._auth = httpx.BasicAuth(feed.username, feed.password or "") if feed.username else None
        self._base_address: httpx.URL | None = None

    async def __aenter__(self) -> NuGetFeed:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._owns_client:
            await self._http.aclose()

    async def check(self) -> None:
        """Read the service index afresh and make sure it offers a flat container: a feed's "test connection"."""
        self._base_address = None
        await self._package_base_address()

    async def versions(self, package_id: str) -> list[str]:
        """Every version the feed has of the package, listed or not, as the feed writes them."""
        url = await self._package_url(package_id, "index.json")
        response = await self._get(url, missing=f'has no package "{package_id}"')
        document = self._json(response, f'a version list for "{package_id}"')
        versions = document.get("versions") if isinstance(document, dict) else None
        if not isinstance(versions, list) or not all(isinstance(v, str) for v in versions):
            raise self._unavailable(f'sent a version list for "{package_id}" without a "versions" array of strings')
        return list(versions)

    async def download(
        self,
        package_id: str,
        version: str,
        destination: Path,
        *,
        max_bytes: int | None = None,
        expected_sha256: str | None = None,
    ) -> DownloadedPackage:
        """Fetch the package's `.nupkg` to `destination`, hashing it on the way.

        The file is written beside `destination` and renamed into place once whole, within `max_bytes` (the
        client's limit when not given) and, when `expected_sha256` is given, matching it; otherwise nothing is
        left behind and `PackageUnavailable` says why.
        """
        limit = self.max_bytes if max_bytes is None else max_bytes
        lower_id, lower_version = package_id.lower(), normalized_version(version)
        url = await self._package_url(package_id, lower_version, f"{lower_id}.{lower_version}.nupkg")
        destination.parent.mkdir(parents=True, exist_ok=True)
        handle, partial_name = tempfile.mkstemp(
            dir=destination.parent, prefix=f".{destination.name}.", suffix=".partial"
        )
        partial = Path(partial_name)
        try:
            with os.fdopen(handle, "wb") as out:
                sha256, size = await self._stream(url, out, limit, package_id, version)
            if expected_sha256 is not None and sha256 != expected_sha256.lower():
                raise self._unavailable(
                    f"sent {package_id} {version} with SHA-256 {sha256}, not the expected {expected_sha256}"
                )
            partial.replace(destination)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        return DownloadedPackage(path=destination, sha256=sha256, size=size)

    async def _stream(
        self, url: httpx.URL, out: BinaryIO, limit: int, package_id: str, version: str
    ) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        too_large = f"sent more than the {limit}-byte limit for {package_id} {version}"
        try:
            async with self._http.stream("GET", url, auth=self._auth, follow_redirects=True) as response:
                if response.is_error:
                    await response.aread()
                    raise self._refused(response, missing=f'has no version {version} of "{package_id}"')
                declared = response.headers.get("content-length")
                if declared is not None and declared.isdigit() and int(declared) > limit:
                    raise self._unavailable(too_large)
                try:
                    async for chunk in response.aiter_bytes():
                        size += len(chunk)
                        if size > limit:
                            raise self._unavailable(too_large)
                        digest.update(chunk)
                        # Writes land in the page cache, so they do not hold the event loop for long.
                        out.write(chunk)
                except httpx.HTTPError as exc:
                    reason = str(exc) or type(exc).__name__
                    raise self._unavailable(
                        f"broke off sending {package_id} {version} after {size} bytes: {reason}", retryable=True
                    ) from None
        except httpx.HTTPError as exc:
            raise self._unreachable(exc, url) from None
        return digest.hexdigest(), size

    async def _package_base_address(self) -> httpx.URL:
        if self._base_address is None:
            index = httpx.URL(self.feed.url)
            response = await self._get(index, missing=f"has no service index at {_shown(index)} (HTTP 404)")
            document = self._json(response, "a service index")
            self._base_address = response.url.join(self._find_base_address(document))
        return self._base_address

    def _find_base_address(self, document: Any) -> str:
        resources = document.get("resources") if isinstance(document, dict) else None
        if not isinstance(resources, list):
            raise self._unavailable('sent a service index without a "resources" array')
        for resource in resources:
            if not isinstance(resource, dict):
                continue
            types = resource.get("@type")
            address = resource.get("@id")
            if PACKAGE_BASE_ADDRESS in (types if isinstance(types, list) else [types]) and isinstance(address, str):
                return address.rstrip("/") + "/"
        raise self._unavailable("sent a service index without a PackageBaseAddress")

    async def _package_url(self, package_id: str, *segments: str) -> httpx.URL:
        base = await self._package_base_address()
        path = "/".join(quote(segment, safe="") for segment in (package_id.lower(), *segments))
        return base.join(path)

    async def _get(self, url: httpx.URL, *, missing: str) -> httpx.Response:
        try:
            response = await self._http.get(url, auth=self._auth, follow_redirects=True)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc, url) from None
        if response.is_error:
            raise self._refused(response, missing=missing)
        return response

    def _json(self, response: httpx.Response, what: str) -> Any:
        try:
            return json.loads(response.content)
        except ValueError:
            raise self._unavailable(f"sent {what} that is not JSON ({_shown(response.url)})") from None

    def _refused(self, response: httpx.Response, *, missing: str) -> PackageUnavailable:
        status = response.status_code
        if status in (401, 403):
            if self._auth is None:
                return self._unavailable(f"asks for credentials and none are set (HTTP {status})")
            return self._unavailable(f"refused the credentials (HTTP {status})")
        if status in (404, 410):
            return self._unavailable(missing)
        retryable = status >= 500 or status in (408, 429)
        return self._unavailable(f"answered HTTP {status} for {_shown(response.url)}", retryable=retryable)

    def _unreachable(self, exc: httpx.HTTPError, url: httpx.URL) -> PackageUnavailable:
        if isinstance(exc, httpx.TooManyRedirects):
            return self._unavailable(f"redirected too many times from {_shown(url)}")
        reason = str(exc) or type(exc).__name__
        return self._unavailable(
            f"cannot be reached at {_shown(url)}: {reason}", retryable=isinstance(exc, httpx.TransportError)
        )

    def _unavailable(self, problem: str, *, retryable: bool = False) -> PackageUnavailable:
        return PackageUnavailable(
            f'feed "{self.feed.name}" {problem}', retryable=retryable, entity="feed", id=self.feed.name
        )
