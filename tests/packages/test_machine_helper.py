"""The helper a target runs, run here as a target runs it: `python3 machine_helper.py '<request>'` in a
directory holding it and on_machine.py and nothing of Seaway's, by this Python and by the oldest Python 3
the targets may have (3.8) when this machine has it."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from tests.fixtures.package_files import build_zip

from seaway.packages import machine_helper, on_machine


def _real_python(name: str) -> list[str]:
    """The interpreter `name` finds, itself rather than a launcher (pyenv's shims need its environment), or
    one pyenv installed."""
    found = [shutil.which(name), *sorted(Path.home().glob(f".pyenv/versions/3.8*/bin/{name}"))]
    for candidate in filter(None, found):
        asked = subprocess.run([candidate, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True)
        if asked.returncode == 0 and asked.stdout.strip():
            return [asked.stdout.strip()]
    return []


PYTHONS = [sys.executable, *_real_python("python3.8")]


@pytest.fixture(params=PYTHONS, ids=lambda python: Path(python).name)
def helper(request, tmp_path):
    """Runs a request through the helper copied alone into a directory, with the given Python."""
    directory = tmp_path / "bin"
    directory.mkdir()
    for module in (on_machine, machine_helper):
        shutil.copy(module.__file__, directory)

    def ask(op: str, **args) -> dict:
        request_text = json.dumps({"op": op, "args": args})
        done = subprocess.run(
            [request.param, str(directory / "machine_helper.py"), request_text],
            capture_output=True,
            text=True,
            check=True,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin"},
        )
        [line] = [line for line in done.stdout.splitlines() if line.startswith(machine_helper.ANSWER_PREFIX)]
        return json.loads(line.removeprefix(machine_helper.ANSWER_PREFIX))

    return ask


def test_a_zip_is_unpacked_with_its_modes_into_a_new_directory_each_time(helper, tmp_path):
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        script = zipfile.ZipInfo("Deploy.sh")
        script.external_attr = 0o755 << 16
        zf.writestr(script, "echo hi\n")
        zf.writestr("config/app.conf", "port 80")
    base = tmp_path / "apps" / "Test" / "P" / "1.0.0"

    first = helper("extract", archive=str(archive), format="zip", base=str(base), max_bytes=10_000)
    second = helper("extract", archive=str(archive), format="zip", base=str(base), max_bytes=10_000)

    assert first == {"result": {"directory": str(base), "count": 2}}
    assert second == {"result": {"directory": f"{base}_1", "count": 2}}
    assert (base / "Deploy.sh").stat().st_mode & 0o777 == 0o755
    assert (base / "config" / "app.conf").read_text() == "port 80"
    assert [p.name for p in base.parent.iterdir() if p.name.startswith(".")] == []  # no staging left


def test_a_tar_gz_keeps_its_links_and_a_link_out_of_the_package_is_refused(helper, tmp_path):
    def tar_with(link_target: str) -> Path:
        path = tmp_path / f"p-{len(link_target)}.tar.gz"
        with tarfile.open(path, "w:gz") as tf:
            data = b"content"
            info = tarfile.TarInfo("app/real.txt")
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
            link = tarfile.TarInfo("app/link.txt")
            link.type, link.linkname = tarfile.SYMTYPE, link_target
            tf.addfile(link)
        return path

    base = tmp_path / "apps" / "P"
    kept = helper("extract", archive=str(tar_with("real.txt")), format="tar.gz", base=str(base), max_bytes=1000)
    refused = helper("extract", archive=str(tar_with("../../../etc")), format="tar.gz", base=str(base), max_bytes=1000)

    assert kept["result"]["count"] == 2
    assert (base / "app" / "link.txt").read_text() == "content"
    assert refused == {"error": "app/link.txt is a symbolic link that leads outside the package", "invalid": True}
    assert sorted(p.name for p in (tmp_path / "apps").iterdir()) == ["P"]


def test_more_bytes_than_the_budget_are_refused_and_nothing_is_left(helper, tmp_path):
    archive = build_zip(tmp_path / "big.zip", {"zeros": b"\0" * 10_000})

    answer = helper("extract", archive=str(archive), format="zip", base=str(tmp_path / "apps" / "P"), max_bytes=5000)

    assert answer == {"error": "the package unpacks to more than 5000 bytes", "invalid": True}
    assert list((tmp_path / "apps").iterdir()) == []


def test_a_package_arriving_damaged_is_not_kept_in_the_cache(helper, tmp_path):
    partial = tmp_path / ".p.partial"
    partial.write_bytes(b"package bytes")
    good = hashlib.sha256(b"package bytes").hexdigest()

    refused = helper("adopt", partial=str(partial), cached=str(tmp_path / "p.zip"), sha256="0" * 64)
    partial.write_bytes(b"package bytes")
    adopted = helper("adopt", partial=str(partial), cached=str(tmp_path / "p.zip"), sha256=good)

    assert refused["invalid"] and f"its SHA-256 is {good}" in refused["error"]
    assert adopted == {"result": {}}
    assert (tmp_path / "p.zip").read_bytes() == b"package bytes" and not partial.exists()


def test_files_are_matched_as_on_the_server_and_a_link_out_is_never_among_them(helper, tmp_path):
    root = tmp_path / "app"
    (root / "config").mkdir(parents=True)
    (root / "config" / "a.conf").write_text("a")
    (root / "config" / "out.conf").symlink_to("/etc/hostname")
    (root / "b.conf").write_text("b")

    answer = helper("match", root=str(root), patterns=["config/*.conf", "**/*.conf"])

    assert answer == {"result": {"files": ["config/a.conf", "b.conf"]}}


def test_the_journal_keeps_each_targets_installations_apart(helper, tmp_path):
    applications = tmp_path / "apps"

    def install(machine: str, version: str) -> dict:
        directory = applications / "Test" / "P" / f"{version}-{machine}"
        directory.mkdir(parents=True)
        entry = {
            "project": "Site",
            "environment": "Test",
            "step": "Deploy",
            "package_id": "P",
            "version": version,
            "extracted_to": str(directory),
            "installed_to": str(directory),
            "when": "2026-05-01T12:00:00+00:00",
            "succeeded": True,
            "machine": machine,
        }
        return helper("journal", applications=str(applications), entry=entry, keep=1)

    install("web-01", "1")
    install("web-02", "1")
    removed = install("web-01", "2")

    assert removed == {"result": {"removed": [str(applications / "Test" / "P" / "1-web-01")]}}
    assert (applications / "Test" / "P" / "1-web-02").is_dir()
    assert [e.machine for e in on_machine.DeploymentJournal(applications).entries()] == ["web-02", "web-01"]


def test_a_nupkg_is_unpacked_without_nugets_own_files(helper, tmp_path):
    archive = build_zip(
        tmp_path / "p.nupkg",
        {
            "_rels/.rels": "<Relationships/>",
            "[Content_Types].xml": "<Types/>",
            "Quotes.nuspec": "<package/>",
            "package/services/metadata/core-properties/x.psmdcp": "<x/>",
            "content/site.txt": "site",
        },
    )
    base = tmp_path / "apps" / "Quotes"

    answer = helper("extract", archive=str(archive), format="nupkg", base=str(base), max_bytes=10_000)

    assert answer == {"result": {"directory": str(base), "count": 1}}
    assert sorted(p.relative_to(base).as_posix() for p in base.rglob("*")) == ["content", "content/site.txt"]
