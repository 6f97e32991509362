"""`seaway package pack|push|list|show|delete` and `release create --package` against a real server."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.server_process import admin_server, one_error_line, run_cli

PROJECT = """
environments: [Dev]
projects:
  - name: Quotes
    process:
      - {name: Deploy, type: deploy-package, package: {id: RandomQuotes}}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    tmp = tmp_path_factory.mktemp("package-cli")
    (tmp / "space.yaml").write_text(PROJECT)
    with admin_server(tmp) as (admin, _):
        applied = run_cli(["apply", str(tmp / "space.yaml")], admin)
        assert applied.returncode == 0, applied.stderr
        yield admin, tmp


def packed(env: dict[str, str], tmp: Path, version: str) -> Path:
    app = tmp / "app"
    (app / "bin").mkdir(parents=True, exist_ok=True)
    (app / "index.html").write_text(f"<h1>{version}</h1>")
    (app / "bin" / "Deploy.sh").write_text("echo deploy\n")
    (app / "bin" / "Deploy.sh").chmod(0o755)
    result = run_cli(
        ["package", "pack", "--id", "RandomQuotes", "--version", version, "--base-path", str(app),
         "--out-folder", str(tmp / "dist")],
        env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return Path(result.stdout.strip())


def test_pack_writes_the_octopus_file_name_with_the_files_at_the_root(server):
    env, tmp = server
    path = packed(env, tmp, "0.9.0")

    assert path.name == "RandomQuotes.0.9.0.zip"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["bin/Deploy.sh", "index.html"]
        assert archive.getinfo("bin/Deploy.sh").external_attr >> 16 & 0o111  # still executable


def test_push_then_a_release_picks_the_version_and_show_names_it(server):
    env, tmp = server
    pushed = run_cli(["package", "push", str(packed(env, tmp, "1.0.1")), str(packed(env, tmp, "1.0.2"))], env)
    assert pushed.returncode == 0, pushed.stderr
    assert pushed.stdout.splitlines() == ["RandomQuotes 1.0.1 created", "RandomQuotes 1.0.2 created"]

    pinned = run_cli(["release", "create", "--project", "Quotes", "--package", "Deploy:1.0.1"], env)
    latest = run_cli(["release", "create", "--project", "Quotes"], env)
    assert pinned.returncode == 0 and latest.returncode == 0, pinned.stderr + latest.stderr

    shown = run_cli(["package", "show", "RandomQuotes", "1.0.1"], env)
    assert f"used by   Quotes {pinned.stdout.strip()} (step Deploy)" in shown.stdout
    newest = run_cli(["package", "show", "RandomQuotes", "1.0.2"], env).stdout
    assert f"used by   Quotes {latest.stdout.strip()} (step Deploy)" in newest
    listed = run_cli(["package", "list", "--id", "RandomQuotes"], env).stdout.splitlines()
    assert [line.split()[1] for line in listed][:2] == ["1.0.2", "1.0.1"]


def test_a_duplicate_under_fail_exits_2_with_one_line_and_ignore_succeeds(server):
    env, tmp = server
    path = packed(env, tmp, "2.0.0")
    assert run_cli(["package", "push", str(path)], env).returncode == 0

    duplicate = run_cli(["package", "push", str(path)], env)
    ignored = run_cli(["package", "push", str(path), "--overwrite-mode", "ignore"], env)

    assert duplicate.returncode == 2
    assert "RandomQuotes 2.0.0 is already in the built-in feed" in one_error_line(duplicate)
    assert ignored.returncode == 0 and ignored.stdout.strip() == "RandomQuotes 2.0.0 ignored"


def test_a_release_asking_for_a_missing_version_exits_2_naming_the_step(server):
    env, _ = server
    refused = run_cli(["release", "create", "--project", "Quotes", "--package", "Deploy:9.9.9"], env)
    assert refused.returncode == 2
    assert 'step "Deploy": the built-in feed has no version 9.9.9 of package "RandomQuotes"' in one_error_line(refused)


def test_delete_is_refused_while_a_release_deploys_the_version(server):
    env, tmp = server
    assert run_cli(["package", "push", str(packed(env, tmp, "3.0.0"))], env).returncode == 0
    assert run_cli(["package", "delete", "RandomQuotes", "3.0.0"], env).stdout.strip() == "deleted RandomQuotes 3.0.0"
    run_cli(["release", "create", "--project", "Quotes", "--package", "Deploy:1.0.2"], env)

    refused = run_cli(["package", "delete", "RandomQuotes", "1.0.2"], env)
    assert refused.returncode == 2 and "cannot be deleted" in one_error_line(refused)


def test_pushing_a_file_that_is_not_there_exits_2(server):
    env, tmp = server
    missing = run_cli(["package", "push", str(tmp / "nope.zip")], env)
    assert missing.returncode == 2 and "is not a file" in one_error_line(missing)
