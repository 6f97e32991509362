"""`seaway export` against a real server: the YAML it prints, applied back with `seaway apply`, changes
nothing; one project alone with `--project`; an unknown project exits 2 with one line."""

from __future__ import annotations

from tests.fixtures.server_process import admin_server, one_error_line, run_cli

SPACE = """
environments: [Dev, Test]
projects:
  - name: Quotes
    variables:
      - {name: Range, value: "[1.0,2.0)"}
      - {name: Password, value: hunter2, sensitive: true}
    process:
      - {name: Say, type: script, script: "echo hello"}
  - name: Other
"""


def test_export_then_apply_changes_nothing(tmp_path):
    with admin_server(tmp_path) as (env, _):
        source = tmp_path / "space.yaml"
        source.write_text(SPACE)
        assert run_cli(["apply", str(source)], env).returncode == 0

        exported = run_cli(["export"], env)
        one = run_cli(["export", "--project", "Quotes", "--output", str(tmp_path / "quotes.yaml")], env)
        unknown = run_cli(["export", "--project", "Nope"], env)
        (tmp_path / "exported.yaml").write_text(exported.stdout)
        again = run_cli(["apply", str(tmp_path / "exported.yaml")], env)

    assert exported.returncode == 0, exported.stderr
    assert "hunter2" not in exported.stdout and "stored: true" in exported.stdout
    assert "'[1.0,2.0)'" in exported.stdout
    assert again.returncode == 0, again.stderr
    assert "created:" not in again.stdout and "updated:" not in again.stdout
    assert one.returncode == 0 and "name: Other" not in (tmp_path / "quotes.yaml").read_text()
    assert unknown.returncode == 2 and "Nope" in one_error_line(unknown)
