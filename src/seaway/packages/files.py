"""The built-in feed's bytes: content-addressed files under the data directory.

An upload is written to `incoming/` while it is hashed, and only a complete, verified file is renamed to
`sha256/<ab>/<hash>` (one rename on one file system), so a half-uploaded package is never seen. Which
files are packages is the database's business: a file no row names is invisible and swept later.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from seaway.errors import TooLarge
from seaway.packages.on_machine import sha256_of

CHUNK = 1024 * 1024
file_sha256 = sha256_of  # a file's hash as the feed addresses it
BATCH = 4 * 1024 * 1024


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    path: Path


class Upload:
    """One file being received: `write` chunks as they arrive, then `finish` (or `discard`).

    From the event loop, `buffer` then `drain` instead: the bytes are hashed and written in a thread, one
    batch at a time while the next one arrives (SHA-256 releases the interpreter lock), so the hashing runs
    beside the parsing of the upload rather than after it."""

    def __init__(self, directory: Path, limit: int) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.path = directory / f"upload-{secrets.token_hex(8)}.part"
        self.limit = limit
        self.size = 0
        self._hash = hashlib.sha256()
        self._file = self.path.open("xb", buffering=0)
        self._batch = bytearray()
        self._in_flight: asyncio.Future[None] | None = None

    def _count(self, length: int) -> None:
        self.size += length
        if self.size > self.limit:
            raise TooLarge(f"the package is larger than the limit of {self.limit} bytes", field="file")

    def _store(self, data: bytes | memoryview) -> None:
        self._hash.update(data)
        self._file.write(data)

    def write(self, data: bytes | memoryview) -> None:
        try:
            self._count(len(data))
        except TooLarge:
            self.discard()
            raise
        self._store(data)

    def buffer(self, data: bytes | memoryview) -> None:
        self._count(len(data))
        self._batch += data

    async def drain(self, *, final: bool = False) -> None:
        """Hand a full batch (or, at the end, whatever is left) to the thread, after the one before it."""
        if len(self._batch) < BATCH and not final:
            return
        if self._in_flight is not None:
            await self._in_flight
            self._in_flight = None
        if self._batch:
            batch, self._batch = bytes(self._batch), bytearray()
            self._in_flight = asyncio.get_running_loop().run_in_executor(None, self._store, batch)
        if final and self._in_flight is not None:
            await self._in_flight
            self._in_flight = None

    def finish(self) -> str:
        self._file.close()
        return self._hash.hexdigest()

    async def abandon(self) -> None:
        """Discard, once the batch being written (if any) is done with the file."""
        if self._in_flight is not None:
            with contextlib.suppress(Exception):
                await self._in_flight
            self._in_flight = None
        self.discard()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()
        self.path.unlink(missing_ok=True)


class PackageFiles:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.incoming = root / "incoming"

    def begin(self, limit: int) -> Upload:
        return Upload(self.incoming, limit)

    def path_of(self, sha256: str) -> Path:
        return self.root / "sha256" / sha256[:2] / sha256

    def keep(self, staged: Path, sha256: str) -> StoredFile:
        """Move a finished upload to its content address (the same bytes pushed twice are kept once)."""
        target = self.path_of(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        size = staged.stat().st_size
        staged.replace(target)
        return StoredFile(sha256, size, target)

    def verify(self, sha256: str) -> Path | None:
        """The file of that hash if it is there and still holds exactly those bytes."""
        path = self.path_of(sha256)
        if not path.is_file():
            return None
        return path if file_sha256(path) == sha256 else None

    def adopt(self, path: Path) -> tuple[Path, str]:
        """Take a file made on this machine (a packed directory) as if it had been uploaded: (staged, hash)."""
        self.incoming.mkdir(parents=True, exist_ok=True)
        staged = self.incoming / f"local-{secrets.token_hex(8)}.part"
        path.replace(staged)
        return staged, file_sha256(staged)

    def remove(self, sha256: str) -> None:
        self.path_of(sha256).unlink(missing_ok=True)

    def listing(self) -> list[tuple[str, datetime]]:
        """Every stored hash with when its file last changed."""
        found = []
        for path in (self.root / "sha256").glob("*/*"):
            with contextlib.suppress(FileNotFoundError):
                found.append((path.name, datetime.fromtimestamp(path.stat().st_mtime, UTC)))
        return found

    def clear_incoming(self, before: datetime) -> None:
        """Uploads a crashed server left half-written."""
        for path in self.incoming.glob("*.part"):
            with contextlib.suppress(FileNotFoundError):
                if datetime.fromtimestamp(path.stat().st_mtime, UTC) < before:
                    path.unlink()
