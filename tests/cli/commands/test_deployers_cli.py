"""`seaway deploy` as the tutorial's two deployers, against a real server: a refusal is one line, exit 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.fixtures.deployers import PROJECT, REFUSED_DEV, REFUSED_PROD, SPACE
from tests.fixtures.server_process import ServerProcess, admin_api_key, free_port, run_cli, seaway_env


@pytest.fixture(scope="module")
def deployers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, dict[str, str]]]:
    """The environment of the `seaway` command for `ops` (an administrator) and each deployer."""
    tmp = tmp_path_factory.mktemp("deployers-cli")
    env = seaway_env(f"sqlite:///{tmp / 'seaway.db'}", tmp / "data")
    assert run_cli(["migrate"], env).returncode == 0
    ops_env = {**env, "SEAWAY_API_KEY": admin_api_key(env)}
    server = ServerProcess(env, free_port())
    server.start()
    ops_env["SEAWAY_URL"] = server.url
    space = tmp / "space.yaml"
    space.write_text(SPACE)
    try:
        applied = run_cli(["apply", str(space)], ops_env)
        assert applied.returncode == 0, applied.stderr
        envs = {"ops": ops_env}
        for username in ("internaldeployer", "productiondeployer"):
            key = run_cli(["admin", "create-api-key", username], env)
            assert key.returncode == 0, key.stderr
            envs[username] = {**ops_env, "SEAWAY_API_KEY": key.stdout.strip()}
        yield envs
    finally:
        server.stop()


def deploy(env: dict[str, str], release: str, to: str, *wait: str):
    return run_cli(["deploy", "--project", PROJECT, "--release", release, "--to", to, *wait], env)


def one_line_refusal(result) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    return line


def test_the_internal_deployer_is_refused_prod_with_one_line_and_exit_2(deployers):
    release = run_cli(["release", "create", "--project", PROJECT], deployers["ops"]).stdout.strip()

    test = deploy(deployers["internaldeployer"], release, "Test", "--wait")
    prod = deploy(deployers["internaldeployer"], release, "Prod")

    assert test.returncode == 0, test.stdout + test.stderr
    assert "deployed to Test" in test.stdout
    assert one_line_refusal(prod) == f"error: {REFUSED_PROD}"


def test_the_production_deployer_deploys_prod_but_not_dev(deployers):
    release = run_cli(["release", "create", "--project", PROJECT], deployers["ops"]).stdout.strip()
    assert deploy(deployers["ops"], release, "Test", "--wait").returncode == 0

    dev = deploy(deployers["productiondeployer"], release, "Dev")
    prod = deploy(deployers["productiondeployer"], release, "Prod", "--wait")

    assert one_line_refusal(dev) == f"error: {REFUSED_DEV}"
    assert prod.returncode == 0, prod.stdout + prod.stderr
    assert "deployed to Prod" in prod.stdout
