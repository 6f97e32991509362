"""Making a package from a directory, as `octo pack` does: `<id>.<version>.zip` (or `.tar.gz`), the files
at the archive's root, executable bits kept."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path

from seaway.domain.package_names import validate_package_id
from seaway.domain.packages import PackageFormat
from seaway.domain.semver import parse_version
from seaway.errors import InvalidInput

PACKABLE = (PackageFormat.ZIP, PackageFormat.TAR_GZ)


def pack_directory(base: Path, package_id: str, version: str, fmt: PackageFormat, out_dir: Path) -> Path:
    validate_package_id(package_id, field="--id")
    if parse_version(version) is None:
        raise InvalidInput(f'"{version}" is not a SemVer version (e.g. 1.0.1 or 2.0.0-beta.1)', field="--version")
    if fmt not in PACKABLE:
        raise InvalidInput("a package is packed as zip or tar.gz", field="--format")
    if not base.is_dir():
        raise InvalidInput(f"{base} is not a directory", field="--base-path")
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{package_id}.{version}.{fmt}"
    partial = target.with_name(target.name + ".partial")
    files = sorted(p for p in base.rglob("*") if p.is_file() and not p.is_symlink())
    try:
        if fmt is PackageFormat.ZIP:
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in files:
                    info = zipfile.ZipInfo.from_file(path, path.relative_to(base).as_posix())
                    info.compress_type = zipfile.ZIP_DEFLATED
                    with path.open("rb") as source, archive.open(info, "w") as sink:
                        while chunk := source.read(1024 * 1024):
                            sink.write(chunk)
        else:
            with tarfile.open(partial, "w:gz") as archive:
                for path in files:
                    archive.add(path, path.relative_to(base).as_posix(), recursive=False)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target
