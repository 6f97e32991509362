"""`seaway apply` with the access keys against a real server: bad roles, scopes and passwords exit 2 with one
line naming the YAML path; a contributor applies their project but not a team; nothing refused is written."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fixtures.server_process import admin_server, one_error_line, run_cli

SPACE = """
environments: [Dev, Test, Prod]
users:
  - {username: carla}
teams:
  - name: Contributors
    members: [carla]
    roles: [{role: project-viewer}, {role: project-contributor, projects: [Quotes]}]
projects:
  - name: Quotes
    process:
      - {name: Say, type: script, script: "echo hello"}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], Path]]:
    tmp = tmp_path_factory.mktemp("apply-access")
    with admin_server(tmp) as (admin, _):
        yield admin, tmp


def apply(env: dict[str, str], tmp: Path, text: str):
    path = tmp / "document.yaml"
    path.write_text(text)
    return run_cli(["apply", str(path)], env)


@pytest.mark.parametrize(
    ("change", "line"),
    [
        (
            ("{role: project-viewer}", "{role: project-viewer}, {role: Deployer}"),
            'error: teams[0].roles[1].role: unknown role "Deployer"',
        ),
        (
            ("projects: [Quotes]", "projects: [Quotes], environments: [Qa]"),
            'error: teams[0].roles[1].environments[0]: unknown environment "Qa"',
        ),
        (
            ("{username: carla}", "{username: carla, password: hunter2}"),
            "error: users[0].password: passwords are never accepted in YAML; use seaway admin set-password or the "
            "sign-in page",
        ),
    ],
)
def test_a_bad_access_key_exits_2_naming_its_path_and_writes_nothing(server, change, line):
    env, tmp = server
    result = apply(env, tmp, SPACE.replace(*change))
    assert result.returncode == 2 and one_error_line(result) == line
    assert run_cli(["release", "create", "--project", "Quotes"], env).returncode == 2  # the project is not there


def test_a_contributor_applies_their_project_but_not_a_team(server):
    env, tmp = server
    assert apply(env, tmp, SPACE).returncode == 0
    key = run_cli(["admin", "create-api-key", "carla"], env).stdout.strip()
    carla = {**env, "SEAWAY_API_KEY": key}

    changed_project = apply(carla, tmp, SPACE.replace("echo hello", "echo hello again"))
    changed_team = apply(carla, tmp, SPACE.replace("members: [carla]", "members: [carla, ops]"))

    assert changed_project.returncode == 0, changed_project.stderr
    assert "updated: project Quotes" in changed_project.stdout
    assert changed_team.returncode == 2 and one_error_line(changed_team) == (
        'error: cannot apply teams[0] (team "Contributors"): missing permission team.edit'
    )


def test_role_list_shows_the_built_in_slugs_and_the_custom_roles_with_their_permissions(server):
    env, tmp = server
    custom = SPACE + "roles:\n  - {name: Release Manager, permissions: [release.create, deployment.create]}\n"
    assert apply(env, tmp, custom).returncode == 0

    listed = run_cli(["role", "list"], env)

    assert listed.returncode == 0, listed.stderr
    rows = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert "built-in" in rows["deployment-creator"] and "deployment.create" in rows["deployment-creator"]
    manager = next(line for line in listed.stdout.splitlines() if "Release Manager" in line)
    assert manager.startswith("Roles-") and "custom" in manager
    assert manager.endswith("Release Manager: deployment.create, release.create")
