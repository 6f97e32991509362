"""Files to and from polling agents travel as a gzipped tar of one entry, `content` (a file or a directory),
unpacked with tarfile's `data` filter (no entry outside its directory, no links out, no devices)."""

from __future__ import annotations

import io
import shutil
import tarfile
import tempfile
from pathlib import Path

ENTRY = "content"


def pack(path: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(path, arcname=ENTRY)
    return buffer.getvalue()


def unpack(data: bytes, destination: Path) -> None:
    """Put the packed file or directory at `destination`, replacing what was there, creating its parents."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=destination.parent, prefix=".incoming-") as scratch:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(scratch, filter="data")
        unpacked = Path(scratch) / ENTRY
        if not unpacked.exists() and not unpacked.is_symlink():
            raise ValueError(f"the archive holds no {ENTRY!r} entry")
        if destination.is_dir() and not destination.is_symlink():
            shutil.rmtree(destination)
        elif destination.exists() or destination.is_symlink():
            destination.unlink()
        unpacked.rename(destination)
