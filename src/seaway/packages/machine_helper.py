"""The helper a target runs for a package deployment: `python3 machine_helper.py '<request as JSON>'`, sent
with `on_machine.py` beside it, and nothing but Python's standard library (3.8 or later).

A request names an operation and its arguments; the answer is one line, `##seaway-machine <JSON>`, holding
the operation's result or `{"error": ..., "invalid": ...}`. Unpacking is done here, on the target, after
the server has checked the archive's listing (`archives.inspect_archive`) before sending it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

if __package__:
    from seaway.packages import on_machine
else:  # run on a target, where on_machine.py lies beside this file
    import on_machine  # type: ignore[import-not-found,no-redef]

ANSWER_PREFIX = "##seaway-machine "
_CHUNK = 1024 * 1024


class Refused(Exception):
    """Bad input to an operation (a path it must not touch); other failures are the machine's (OSError)."""


# --- unpacking on a target -----------------------------------------------------------------------------


class _Budget:
    """Counts the bytes written against the most the archive may unpack to."""

    def __init__(self, limit: int) -> None:
        self.limit, self.written = limit, 0

    def copy(self, source: IO[bytes], target: Path, mode: int) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        with os.fdopen(os.open(target, flags, mode), "wb") as out:
            while chunk := source.read(_CHUNK):
                self.written += len(chunk)
                if self.written > self.limit:
                    raise Refused(f"the package unpacks to more than {self.limit} bytes")
                out.write(chunk)


def extract(archive: Path, fmt: str, base: Path, max_bytes: int) -> tuple[Path, int]:
    """Unpack `archive` (whose listing the server has already checked) into a new directory at `base` (or
    `base_N`): staged beside it and renamed into place only when whole. (directory, files unpacked)."""
    base.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=base.parent, prefix=f".{base.name}.", suffix=".partial"))
    try:
        budget = _Budget(max_bytes)
        if fmt in ("zip", "nupkg"):
            count = _unzip(archive, staging, budget, nupkg=fmt == "nupkg")
        else:
            count = _untar(archive, staging, budget)
        mask = os.umask(0)
        os.umask(mask)
        staging.chmod(0o777 & ~mask)  # made private by mkdtemp; an installation is as readable as any directory
        for path in staging.rglob("*"):
            if path.is_symlink() and not on_machine.inside(path, staging):
                raise Refused(f"{path.relative_to(staging)} is a symbolic link that leads outside the package")
        while True:
            destination = on_machine.free_directory(base)
            try:
                staging.rename(destination)  # an existing, non-empty directory is never replaced
            except OSError:
                if not destination.exists():
                    raise
                continue  # another deployment took that name meanwhile
            return destination, count
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _safe_path(root: Path, name: str) -> Path:
    parts = [part for part in name.replace("\\", "/").split("/") if part not in ("", ".")]
    if not parts or ".." in parts or name.startswith("/"):
        raise Refused(f'the entry "{name}" lies outside the package')
    return root.joinpath(*parts)


def _unzip(archive: Path, root: Path, budget: _Budget, *, nupkg: bool) -> int:
    count = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            if nupkg and on_machine.is_nuget_metadata(info.filename.replace("\\", "/")):
                continue
            target = _safe_path(root, info.filename)
            unix_mode = info.external_attr >> 16
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if stat.S_ISLNK(unix_mode):
                target.symlink_to(zf.read(info).decode())
            else:
                with zf.open(info) as source:
                    budget.copy(source, target, (unix_mode & 0o777) | 0o600 if unix_mode & 0o777 else 0o666)
            count += 1
    return count


def _untar(archive: Path, root: Path, budget: _Budget) -> int:
    count = 0
    with tarfile.open(archive) as tf:
        for member in tf:
            target = _safe_path(root, member.name)
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or target.exists():
                target.unlink()
            if member.issym():
                target.symlink_to(member.linkname)
            elif member.islnk():
                os.link(_safe_path(root, member.linkname), target, follow_symlinks=False)
            elif member.isfile():
                source = tf.extractfile(member)
                assert source is not None
                with source:
                    budget.copy(source, target, (member.mode & 0o777) | 0o600)
            else:
                continue  # devices and fifos were refused by the server's check
            count += 1
    return count


# --- the requests a target answers ----------------------------------------------------------------------


def _adopt(args: dict[str, Any]) -> dict[str, Any]:
    """A package just sent (`partial`) becomes the cache's copy once its bytes are the ones expected."""
    partial, cached = Path(args["partial"]), Path(args["cached"])
    found = on_machine.sha256_of(partial)
    if found != args["sha256"]:
        partial.unlink()
        raise Refused(f"the package arrived damaged: its SHA-256 is {found}, not {args['sha256']}")
    partial.replace(cached)
    return {}


def _extract(args: dict[str, Any]) -> dict[str, Any]:
    directory, count = extract(Path(args["archive"]), args["format"], Path(args["base"]), int(args["max_bytes"]))
    return {"directory": str(directory), "count": count}


def _first_file(args: dict[str, Any]) -> dict[str, Any]:
    return {"path": next((p for p in args["paths"] if Path(p).is_file()), None)}


def _replace(args: dict[str, Any]) -> dict[str, Any]:
    for new, path in args["pairs"]:
        on_machine.replace_keeping_mode(Path(new), Path(path))
    return {}


def _install(args: dict[str, Any]) -> dict[str, Any]:
    extracted, target = Path(args["extracted"]), Path(args["target"])
    problem = on_machine.overlap_problem(target, extracted)
    if problem:
        raise Refused(problem)
    files, purged = on_machine.copy_tree(extracted, target, purge=bool(args["purge"]), exclusions=args["exclusions"])
    return {"files": files, "purged": purged}


def _remove(args: dict[str, Any]) -> dict[str, Any]:
    for path in args["paths"]:
        with contextlib.suppress(FileNotFoundError):
            Path(path).unlink()
    return {}


def _journal(args: dict[str, Any]) -> dict[str, Any]:
    journal = on_machine.DeploymentJournal(Path(args["applications"]))
    removed = journal.record(on_machine.JournalEntry(**args["entry"]), keep=args["keep"])
    return {"removed": [str(path) for path in removed]}


OPERATIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "adopt": _adopt,
    "extract": _extract,
    "match": lambda args: {"files": on_machine.match_files(Path(args["root"]), args["patterns"])},
    "first_file": _first_file,
    "replace": _replace,
    "install": _install,
    "remove": _remove,
    "journal": _journal,
}


def answer(request: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"result": OPERATIONS[request["op"]](request.get("args", {}))}
    except Refused as exc:
        return {"error": str(exc), "invalid": True}
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, tarfile.TarError) as exc:
        reason = f"{exc.strerror}: {exc.filename}" if isinstance(exc, OSError) and exc.filename else str(exc)
        return {"error": reason or type(exc).__name__, "invalid": False}


def main(argv: Sequence[str]) -> int:
    print(ANSWER_PREFIX + json.dumps(answer(json.loads(argv[1]))), flush=True)  # noqa: T201 (the answer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
