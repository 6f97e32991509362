"""Package archives are unpacked whole and in place, or refused leaving nothing behind."""

from __future__ import annotations

import os
import re
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from tests.fixtures.archives import tar_member, write_nupkg, write_tar, write_zip

from seaway.domain.packages import PackageFormat
from seaway.errors import Conflict, InvalidInput
from seaway.packages.archives import ArchiveRejected, ExtractLimits, extract_archive, inspect_archive

APP = {
    "appsettings.json": '{"App": {"Port": 8080}}',
    "Deploy.sh": "#!/bin/sh\necho deployed\n",
    "lib/quotes/quotes.txt": "To be or not to be\n",
}
MODES = {"Deploy.sh": 0o755, "appsettings.json": 0o644, "lib/quotes/quotes.txt": 0o644}
TAR_FORMATS = [
    ("app.tar", PackageFormat.TAR, ""),
    ("app.tar.gz", PackageFormat.TAR_GZ, "gz"),
    ("app.tar.bz2", PackageFormat.TAR_BZ2, "bz2"),
]


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The directory that holds the destination; after a refusal it must be empty (no staging either)."""
    directory = tmp_path / "applications"
    directory.mkdir()
    return directory


def refused(archive: Path, out: Path, fmt: PackageFormat, limits: ExtractLimits | None = None) -> ArchiveRejected:
    with pytest.raises(ArchiveRejected) as error:
        extract_archive(archive, out / "app", fmt, limits=limits or ExtractLimits())
    assert error.value.field == "package"
    assert error.value.code == "archive_rejected"
    assert isinstance(error.value, InvalidInput)
    assert archive.name in error.value.message
    assert list(out.iterdir()) == []  # neither the destination nor a staging directory
    return error.value


def assert_app(destination: Path) -> None:
    assert (destination / "appsettings.json").read_text() == APP["appsettings.json"]
    assert (destination / "lib/quotes/quotes.txt").read_text() == APP["lib/quotes/quotes.txt"]
    deploy = destination / "Deploy.sh"
    assert deploy.stat().st_mode & stat.S_IXUSR
    assert not (destination / "appsettings.json").stat().st_mode & stat.S_IXUSR
    assert sorted(p.name for p in destination.parent.iterdir()) == [destination.name]


def test_a_zip_is_unpacked_with_its_executable_bits(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "app.zip", APP, modes=MODES)
    assert extract_archive(archive, out / "app", PackageFormat.ZIP) == 3
    assert_app(out / "app")


def test_a_packaged_deploy_script_runs_straight_from_the_unpacked_directory(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "app.zip", APP, modes=MODES)
    extract_archive(archive, out / "app", PackageFormat.ZIP)
    assert os.access(out / "app" / "Deploy.sh", os.X_OK)


@pytest.mark.parametrize(("name", "fmt", "compression"), TAR_FORMATS)
def test_each_tar_format_is_unpacked_with_its_executable_bits(
    tmp_path: Path, out: Path, name: str, fmt: PackageFormat, compression: str
) -> None:
    archive = write_tar(tmp_path / name, APP, compression=compression, modes=MODES)
    assert extract_archive(archive, out / "app", fmt) == 3
    assert_app(out / "app")


def test_a_tar_made_from_dot_unpacks_its_dot_slash_names_at_the_root(tmp_path: Path, out: Path) -> None:
    archive = write_tar(
        tmp_path / "app.tar.gz", {"./Deploy.sh": "x", "./lib/a.txt": "a"}, extra=[tar_member("./", tarfile.DIRTYPE)]
    )
    assert extract_archive(archive, out / "app", PackageFormat.TAR_GZ) == 2
    assert (out / "app/lib/a.txt").read_text() == "a"


def test_a_nupkg_is_unpacked_without_nugets_own_files(tmp_path: Path, out: Path) -> None:
    archive = write_nupkg(tmp_path / "RandomQuotes.1.0.1.nupkg", "RandomQuotes", "1.0.1", APP, modes=MODES)
    assert extract_archive(archive, out / "app", PackageFormat.NUPKG) == 3
    assert_app(out / "app")
    assert sorted(p.name for p in (out / "app").iterdir()) == ["Deploy.sh", "appsettings.json", "lib"]


def test_a_nupkg_entry_name_is_unescaped_as_nuget_does(tmp_path: Path, out: Path) -> None:
    archive = write_nupkg(tmp_path / "p.nupkg", "P", "1.0.0", {"read%20me.txt": "hi", "c%2B%2B/a+b.txt": "x"})
    extract_archive(archive, out / "app", PackageFormat.NUPKG)
    assert (out / "app/read me.txt").read_text() == "hi"
    assert (out / "app/c++/a+b.txt").read_text() == "x"


def test_links_that_stay_inside_are_kept(tmp_path: Path, out: Path) -> None:
    archive = write_tar(
        tmp_path / "app.tar.gz",
        {"lib/libq.so.1": "elf", "bin/run": "#!/bin/sh"},
        symlinks={"lib/libq.so": "libq.so.1", "current": "lib", "bin/lib": "../lib"},
        hardlinks={"bin/run2": "bin/run"},
    )
    assert extract_archive(archive, out / "app", PackageFormat.TAR_GZ) == 6
    app = out / "app"
    assert (app / "lib/libq.so").readlink() == Path("libq.so.1")
    assert (app / "bin/lib/libq.so").read_text() == "elf"
    assert (app / "bin/run2").stat().st_ino == (app / "bin/run").stat().st_ino


def test_a_zip_symlink_inside_is_kept(tmp_path: Path, out: Path) -> None:
    archive = write_zip(
        tmp_path / "app.zip", {"config/real.json": "{}"}, symlinks={"settings.json": "config/real.json"}
    )
    extract_archive(archive, out / "app", PackageFormat.ZIP)
    assert (out / "app/settings.json").readlink() == Path("config/real.json")


def test_a_later_entry_of_the_same_name_wins(tmp_path: Path, out: Path) -> None:
    archive = tmp_path / "app.zip"
    with zipfile.ZipFile(archive, "w") as zf, pytest.warns(UserWarning, match="Duplicate name"):
        zf.writestr("a.txt", "first")
        zf.writestr("a.txt", "second")
    extract_archive(archive, out / "app", PackageFormat.ZIP)
    assert (out / "app/a.txt").read_text() == "second"


def test_an_existing_destination_is_never_unpacked_into(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "app.zip", APP)
    (out / "app").mkdir()
    with pytest.raises(Conflict):
        extract_archive(archive, out / "app", PackageFormat.ZIP)
    assert list((out / "app").iterdir()) == []


def test_the_destinations_parents_are_created(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "app.zip", APP, modes=MODES)
    destination = tmp_path / "Applications/Dev/RandomQuotes/1.0.1"
    extract_archive(archive, destination, PackageFormat.ZIP)
    assert_app(destination)


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("../x", '".."'),
        ("lib/../../x", '".."'),
        ("..\\..\\x", '".."'),  # Windows separators in a zip are separators
        ("/etc/x", "absolute path"),
        ("C:/Windows/x", "absolute path"),
    ],
)
def test_a_zip_entry_outside_the_destination_is_refused(tmp_path: Path, out: Path, entry: str, reason: str) -> None:
    archive = write_zip(tmp_path / "evil.zip", {"ok.txt": "fine", entry: "pwned"})
    error = refused(archive, out, PackageFormat.ZIP)
    shown = entry.replace("\\", "/")  # as the zip format spells it
    assert f'entry "{shown}"' in error.message
    assert reason in error.message
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("entry", ["../x", "/etc/x", "a/../../x"])
def test_a_tar_entry_outside_the_destination_is_refused(tmp_path: Path, out: Path, entry: str) -> None:
    archive = write_tar(tmp_path / "evil.tar.gz", {"ok.txt": "fine", entry: "pwned"})
    error = refused(archive, out, PackageFormat.TAR_GZ)
    assert f'entry "{entry}"' in error.message
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("target", ["../../outside", "/etc/passwd", "lib/../../outside"])
def test_a_symlink_out_is_refused(tmp_path: Path, out: Path, target: str) -> None:
    archive = write_tar(tmp_path / "evil.tar.gz", {"ok.txt": "fine"}, symlinks={"appsettings.json": target})
    error = refused(archive, out, PackageFormat.TAR_GZ)
    assert '"appsettings.json"' in error.message
    assert target in error.message


def test_a_zip_symlink_out_is_refused(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "evil.zip", {"ok.txt": "fine"}, symlinks={"passwd": "/etc/passwd"})
    assert "/etc/passwd" in refused(archive, out, PackageFormat.ZIP).message


def test_links_that_lead_out_only_together_are_refused(tmp_path: Path, out: Path) -> None:
    # Each alone stays inside: "sub/up" is the root, "escape" is "sub/up/.." read as text. Followed, it is the
    # root's parent.
    archive = write_tar(tmp_path / "evil.tar.gz", {"sub/a.txt": "a"}, symlinks={"sub/up": "..", "escape": "sub/up/.."})
    error = refused(archive, out, PackageFormat.TAR_GZ)
    assert '"escape"' in error.message


def test_writing_through_a_link_is_refused(tmp_path: Path, out: Path) -> None:
    archive = write_tar(tmp_path / "evil.tar", {"real/a": "a"}, compression="", symlinks={"link": "real"})
    with tarfile.open(archive, "a") as tf:
        tf.addfile(tar_member("link/b"))
    error = refused(archive, out, PackageFormat.TAR)
    assert 'entry "link/b" goes through "link"' in error.message


@pytest.mark.parametrize("target", ["../outside", "/etc/passwd", "not-in-archive"])
def test_a_hard_link_to_anything_but_an_earlier_file_is_refused(tmp_path: Path, out: Path, target: str) -> None:
    archive = write_tar(tmp_path / "evil.tar.gz", {"ok.txt": "fine"}, hardlinks={"passwd": target})
    error = refused(archive, out, PackageFormat.TAR_GZ)
    assert '"passwd"' in error.message
    assert "hard link" in error.message


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_devices_and_fifos_are_refused(tmp_path: Path, out: Path, kind: bytes) -> None:
    archive = write_tar(tmp_path / "evil.tar.gz", {"ok.txt": "fine"}, extra=[tar_member("dev/thing", kind)])
    assert "device, fifo or socket" in refused(archive, out, PackageFormat.TAR_GZ).message


def test_a_zip_fifo_is_refused(tmp_path: Path, out: Path) -> None:
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("pipe")
        info.create_system = 3
        info.external_attr = (stat.S_IFIFO | 0o644) << 16
        zf.writestr(info, "")
    assert 'entry "pipe"' in refused(archive, out, PackageFormat.ZIP).message


def test_a_file_and_a_directory_of_the_same_name_are_refused(tmp_path: Path, out: Path) -> None:
    archive = write_tar(tmp_path / "odd.tar.gz", {"a": "file"}, extra=[tar_member("a", tarfile.DIRTYPE)])
    assert "is a directory where the archive already has a file" in refused(archive, out, PackageFormat.TAR_GZ).message


def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "bomb.zip", {"ok.txt": "fine", "zeros.bin": bytes(8 * 1024 * 1024)})
    assert archive.stat().st_size < 64 * 1024
    error = refused(archive, out, PackageFormat.ZIP)
    assert '"zeros.bin"' in error.message
    assert "200 times" in error.message


def test_a_tar_bomb_is_refused_by_its_ratio(tmp_path: Path, out: Path) -> None:
    archive = write_tar(tmp_path / "bomb.tar.bz2", {"zeros.bin": bytes(8 * 1024 * 1024)}, compression="bz2")
    assert "times the archive's" in refused(archive, out, PackageFormat.TAR_BZ2).message


def test_the_total_size_limit_counts_bytes_written(tmp_path: Path, out: Path) -> None:
    files = {f"part{i}.bin": os.urandom(4000) for i in range(3)}  # incompressible: the ratio is about 1
    archive = write_zip(tmp_path / "big.zip", files)
    error = refused(archive, out, PackageFormat.ZIP, ExtractLimits(max_total_bytes=10_000))
    assert '"part2.bin"' in error.message
    assert "more than 10000 bytes" in error.message


def test_exactly_the_limit_is_allowed(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "big.zip", {"a.bin": os.urandom(10_000)})
    assert extract_archive(archive, out / "app", PackageFormat.ZIP, limits=ExtractLimits(max_total_bytes=10_000)) == 1


@pytest.mark.parametrize(("name", "fmt"), [("many.zip", PackageFormat.ZIP), ("many.tar.gz", PackageFormat.TAR_GZ)])
def test_too_many_entries_are_refused(tmp_path: Path, out: Path, name: str, fmt: PackageFormat) -> None:
    files = {f"f{i}.txt": "x" for i in range(5)}
    archive = write_zip(tmp_path / name, files) if fmt is PackageFormat.ZIP else write_tar(tmp_path / name, files)
    error = refused(archive, out, fmt, ExtractLimits(max_entries=4))
    assert '"f4.txt"' in error.message
    assert "4 entries" in error.message


def _big_app(tmp_path: Path) -> dict[str, bytes]:
    return {"a.bin": os.urandom(300_000), "b.bin": os.urandom(300_000)}


@pytest.mark.parametrize(("name", "fmt", "compression"), [("cut.zip", PackageFormat.ZIP, ""), *TAR_FORMATS])
def test_a_truncated_archive_is_refused(
    tmp_path: Path, out: Path, name: str, fmt: PackageFormat, compression: str
) -> None:
    archive = tmp_path / name
    if fmt is PackageFormat.ZIP:
        write_zip(archive, _big_app(tmp_path))
    else:
        write_tar(archive, _big_app(tmp_path), compression=compression)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) * 3 // 4])
    error = refused(archive, out, fmt)
    assert "not a readable" in error.message


def test_a_tar_gz_cut_after_its_last_member_is_refused(tmp_path: Path, out: Path) -> None:
    archive = write_tar(tmp_path / "cut.tar.gz", {"a.txt": "a"})
    data = archive.read_bytes()
    archive.write_bytes(data[:-4])  # the gzip trailer's size field: every tar member is still whole
    assert "not a readable tar.gz archive" in refused(archive, out, PackageFormat.TAR_GZ).message


def test_a_corrupt_zip_entry_is_refused(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "corrupt.zip", {"a.txt": "x" * 1000}, compression=zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    offset = data.index(b"x" * 100)
    data[offset : offset + 4] = b"yyyy"
    archive.write_bytes(bytes(data))
    error = refused(archive, out, PackageFormat.ZIP)
    assert 'at entry "a.txt"' in error.message


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("notes.zip", PackageFormat.ZIP),
        ("notes.nupkg", PackageFormat.NUPKG),
        ("notes.tar", PackageFormat.TAR),
        ("notes.tar.gz", PackageFormat.TAR_GZ),
        ("notes.tar.bz2", PackageFormat.TAR_BZ2),
    ],
)
def test_a_file_that_is_no_archive_is_refused(tmp_path: Path, out: Path, name: str, fmt: PackageFormat) -> None:
    archive = tmp_path / name
    archive.write_text("just some notes, not an archive\n" * 40)
    assert f"not a readable {fmt} archive" in refused(archive, out, fmt).message


def test_an_empty_file_is_refused(tmp_path: Path, out: Path) -> None:
    archive = tmp_path / "empty.tar"
    archive.write_bytes(b"")
    refused(archive, out, PackageFormat.TAR)


def test_a_zip_given_as_tar_gz_is_refused(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "app.tar.gz", APP)
    refused(archive, out, PackageFormat.TAR_GZ)


def test_messages_name_the_package_as_it_was_pushed(tmp_path: Path, out: Path) -> None:
    archive = write_zip(tmp_path / "3f2a9c.blob", {"../x": "pwned"})
    with pytest.raises(ArchiveRejected) as error:
        extract_archive(archive, out / "app", PackageFormat.ZIP, display_name="RandomQuotes.1.0.1.zip")
    assert error.value.message.startswith('RandomQuotes.1.0.1.zip: entry "../x"')


def test_a_missing_archive_is_a_refusal_not_an_os_error(tmp_path: Path, out: Path) -> None:
    with pytest.raises(ArchiveRejected, match=re.escape("gone.zip cannot be read")):
        extract_archive(tmp_path / "gone.zip", out / "app", PackageFormat.ZIP)
    assert list(out.iterdir()) == []


# inspect_archive: the listing checked at push time, nothing written


@pytest.mark.parametrize(("name", "fmt", "compression"), [("app.zip", PackageFormat.ZIP, ""), *TAR_FORMATS])
def test_inspecting_counts_the_files_and_writes_nothing(
    tmp_path: Path, name: str, fmt: PackageFormat, compression: str
) -> None:
    archive = tmp_path / name
    if fmt is PackageFormat.ZIP:
        write_zip(archive, APP, symlinks={"settings.json": "appsettings.json"})
    else:
        write_tar(archive, APP, compression=compression, symlinks={"settings.json": "appsettings.json"})
    before = sorted(tmp_path.iterdir())
    assert inspect_archive(archive, fmt) == 4
    assert sorted(tmp_path.iterdir()) == before


def test_inspecting_a_nupkg_leaves_out_nugets_own_files(tmp_path: Path) -> None:
    archive = write_nupkg(tmp_path / "p.nupkg", "P", "1.0.0", APP)
    assert inspect_archive(archive, PackageFormat.NUPKG) == 3


@pytest.mark.parametrize(
    ("files", "symlinks", "hardlinks", "reason"),
    [
        ({"../x": "pwned"}, {}, {}, '".."'),
        ({"/etc/cron.d/x": "pwned"}, {}, {}, "absolute path"),
        ({"a": "a"}, {"l": "../../etc"}, {}, "outside the destination"),
        ({"a": "a"}, {}, {"h": "/etc/shadow"}, "hard link"),
    ],
)
def test_inspecting_refuses_what_unpacking_would(
    tmp_path: Path, files: dict[str, str], symlinks: dict[str, str], hardlinks: dict[str, str], reason: str
) -> None:
    archive = write_tar(tmp_path / "evil.tar.gz", files, symlinks=symlinks, hardlinks=hardlinks)
    with pytest.raises(ArchiveRejected, match=reason) as error:
        inspect_archive(archive, PackageFormat.TAR_GZ)
    assert error.value.message.startswith("evil.tar.gz: entry ")


def test_inspecting_refuses_a_truncated_tar_gz(tmp_path: Path) -> None:
    archive = write_tar(tmp_path / "cut.tar.gz", _big_app(tmp_path))
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArchiveRejected, match=re.escape("cut.tar.gz is not a readable tar.gz archive")):
        inspect_archive(archive, PackageFormat.TAR_GZ)


def test_inspecting_refuses_a_truncated_zip(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "cut.zip", _big_app(tmp_path))
    archive.write_bytes(archive.read_bytes()[:-30])
    with pytest.raises(ArchiveRejected, match=re.escape("cut.zip is not a readable zip archive")):
        inspect_archive(archive, PackageFormat.ZIP)


def test_inspecting_refuses_too_many_entries(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "many.zip", {f"f{i}": "x" for i in range(3)})
    with pytest.raises(ArchiveRejected, match="2 entries"):
        inspect_archive(archive, PackageFormat.ZIP, limits=ExtractLimits(max_entries=2))


def test_setuid_bits_are_dropped_and_the_owner_may_always_write(tmp_path: Path, out: Path) -> None:
    archive = write_tar(
        tmp_path / "app.tar.gz",
        {"bin/tool": "x", "readonly.conf": "y"},
        modes={"bin/tool": 0o4755, "readonly.conf": 0o444},
    )
    extract_archive(archive, out / "app", PackageFormat.TAR_GZ)
    tool = (out / "app/bin/tool").stat().st_mode
    assert tool & stat.S_IXUSR
    assert not tool & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX)
    assert (out / "app/readonly.conf").stat().st_mode & stat.S_IWUSR
