"""Deploying one package on this machine: real archives, real bash and python scripts through LocalTarget."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.fixtures.package_files import build_package
from tests.fixtures.step_logs import RecordedLog

from seaway.domain.packages import PackageFormat
from seaway.packages.conventions import DeployResult, PackageDeployment, deploy_package
from seaway.packages.journal import JOURNAL_NAME, DeploymentJournal
from seaway.steps.packaged_scripts import TargetScriptRunner
from seaway.targets.local import LocalTarget

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)

# Each stage appends what it sees to the file named by the OrderFile variable: the order of the conventions.
_REPORT = (
    'echo "{stage} $(cat config/app.conf) $(grep -o \'"Port": [0-9]*\' appsettings.json) $PWD"'
    ' >> "$(get_octopusvariable OrderFile)"\n'
)
APP_FILES = {
    "config/app.conf": "env=#{Env}",
    "appsettings.json": '{\n  "App": {\n    "Port": 80\n  }\n}\n',
    "bin/app.sh": "echo running\n",
    "PreDeploy.sh": _REPORT.format(stage="pre"),
    "Deploy.sh": _REPORT.format(stage="deploy"),
    "PostDeploy.sh": _REPORT.format(stage="post"),
    "DeployFailed.sh": 'echo failed >> "$(get_octopusvariable OrderFile)"\n',
}


class Machine:
    """A package feed directory, an applications directory and a work directory under one test's tmp_path."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.applications = root / "Applications"
        self.order = root / "order.txt"
        self.log = RecordedLog()

    def request(self, files=APP_FILES, version: str = "1.0.0", fmt=PackageFormat.ZIP, **changes) -> PackageDeployment:
        package = build_package(self.root / "feed", "RandomQuotes", version, files, fmt)
        request = PackageDeployment(
            package_file=package,
            format=fmt,
            package_id="RandomQuotes",
            version=version,
            environment="Test",
            project="Quotes",
            step="Deploy",
            applications=self.applications,
            variables={"OrderFile": str(self.order), "Env": "Test", "App:Port": "9090", "Db Password": "s3cret"},
            substitute_in_files=("config/*.conf",),
            structured_variables=("appsettings.json",),
            timeout=30,
        )
        return replace(request, **changes)

    async def deploy(self, request: PackageDeployment, *, cancel: asyncio.Event | None = None, now=NOW) -> DeployResult:
        runner = TargetScriptRunner(LocalTarget(), self.root / "work", self.log)
        return await deploy_package(request, scripts=runner, log=self.log, cancel=cancel or asyncio.Event(), now=now)

    def stages(self) -> list[str]:
        return self.order.read_text().splitlines() if self.order.exists() else []


async def test_the_conventions_run_in_octopus_order_and_scripts_run_in_the_installation_directory(tmp_path):
    machine = Machine(tmp_path)
    install_to = tmp_path / "srv" / "quotes"

    result = await machine.deploy(machine.request(install_to=str(install_to)))

    assert result.error is None, machine.log.text()
    extracted = machine.applications / "Test" / "RandomQuotes" / "1.0.0"
    assert machine.stages() == [
        f'pre env=#{{Env}} "Port": 80 {extracted}',
        f'deploy env=Test "Port": 9090 {install_to}',
        f'post env=Test "Port": 9090 {install_to}',
    ]
    log = machine.log.text()
    for step in ("Extracting", "PreDeploy.sh", "Substituting", "structured", "Copying", "Deploy.sh", "PostDeploy.sh"):
        assert step in log
    positions = [
        log.index(step) for step in ("Running PreDeploy.sh", "Substituted", "appsettings.json (JSON)", "Copied")
    ]
    assert positions == sorted(positions)
    assert (install_to / "bin" / "app.sh").read_text() == "echo running\n"
    # the package's scripts are removed once they have run, as Octopus does
    assert not (extracted / "Deploy.sh").exists() and not (install_to / "Deploy.sh").exists()


async def test_outputs_name_the_installation_and_carry_what_the_scripts_set(tmp_path):
    machine = Machine(tmp_path)
    files = {
        **APP_FILES,
        "Deploy.sh": (
            'set_octopusvariable "Greeting" "hello $(get_octopusvariable "db password")"\n'
            'echo "values file mode $(stat -c %a "$HOME/Deploy.variables")"\n'
            'set_octopusvariable "Dir" "$(get_octopusvariable Octopus.Action.Package.InstallationDirectoryPath)"\n'
            'set_octopusvariable "Lines" "$(get_octopusvariable "Two Lines")"\n'
        ),
    }
    request = machine.request(files=files)
    request = replace(request, variables={**request.variables, "Two Lines": "one 'quoted'\ntwo $HOME"})

    result = await machine.deploy(request)

    assert result.error is None, machine.log.text()
    extracted = str(machine.applications / "Test" / "RandomQuotes" / "1.0.0")
    assert result.outputs["Octopus.Action.Package.InstallationDirectoryPath"] == extracted
    assert result.outputs["Package.InstallationDirectoryPath"] == extracted
    assert result.outputs["Octopus.Action.Package.PackageId"] == "RandomQuotes"
    assert result.outputs["Octopus.Action.Package.PackageVersion"] == "1.0.0"
    assert result.outputs["Package.ExtractedFileCount"] == str(len(files))
    assert result.outputs["Greeting"] == "hello s3cret"
    assert result.outputs["Dir"] == extracted
    assert result.outputs["Lines"] == "one 'quoted'\ntwo $HOME"
    assert "values file mode 600" in machine.log.text()
    assert not any(p.suffix == ".variables" for p in (tmp_path / "work").iterdir())


async def test_python_scripts_run_when_there_is_no_shell_script_and_a_shell_script_is_preferred(tmp_path):
    machine = Machine(tmp_path)
    files = {
        "PreDeploy.py": (
            "import os\n"
            "with open(get_octopusvariable('OrderFile'), 'a') as f:\n"
            "    f.write('pre.py ' + os.getcwd() + '\\n')\n"
            "set_octopusvariable('FromPython', get_octopusvariable('Env'))\n"
        ),
        "Deploy.sh": 'echo deploy.sh >> "$(get_octopusvariable OrderFile)"\n',
        "Deploy.py": "open(get_octopusvariable('OrderFile'), 'a').write('deploy.py\\n')\n",
    }

    result = await machine.deploy(machine.request(files=files, substitute_in_files=(), structured_variables=()))

    assert result.error is None, machine.log.text()
    extracted = machine.applications / "Test" / "RandomQuotes" / "1.0.0"
    assert machine.stages() == [f"pre.py {extracted}", "deploy.sh"]
    assert result.outputs["FromPython"] == "Test"


async def test_a_redeploy_of_the_same_version_goes_beside_the_first(tmp_path):
    machine = Machine(tmp_path)

    first = await machine.deploy(machine.request())
    second = await machine.deploy(machine.request(), now=NOW + timedelta(minutes=1))

    base = machine.applications / "Test" / "RandomQuotes"
    assert first.outputs["Package.InstallationDirectoryPath"] == str(base / "1.0.0")
    assert second.outputs["Package.InstallationDirectoryPath"] == str(base / "1.0.0_1")
    assert (base / "1.0.0" / "config" / "app.conf").read_text() == "env=Test"


async def test_a_failing_deploy_script_runs_deploy_failed_and_fails_the_deployment(tmp_path):
    machine = Machine(tmp_path)
    files = {**APP_FILES, "Deploy.sh": "echo broken >&2\nexit 3\n"}

    result = await machine.deploy(machine.request(files=files))

    assert result.error == "Deploy.sh: the script exited with code 3"
    assert [line.split()[0] for line in machine.stages()] == ["pre", "failed"]
    assert ("error", "broken") in machine.log.lines
    [entry] = DeploymentJournal(machine.applications).entries()
    assert entry.succeeded is False and entry.version == "1.0.0"


async def test_a_structured_file_that_does_not_parse_fails_the_deployment_and_runs_deploy_failed(tmp_path):
    machine = Machine(tmp_path)
    files = {**APP_FILES, "appsettings.json": '{"App": '}

    result = await machine.deploy(machine.request(files=files))

    assert result.error is not None and "appsettings.json" in result.error
    assert [line.split()[0] for line in machine.stages()] == ["pre", "failed"]


async def test_an_unresolved_expression_fails_unless_substitution_errors_are_ignored(tmp_path):
    machine = Machine(tmp_path)
    files = {**APP_FILES, "config/app.conf": "env=#{Nowhere}"}

    strict = await machine.deploy(machine.request(files=files))
    lenient = await machine.deploy(machine.request(files=files, ignore_substitution_errors=True))

    assert strict.error is not None and "config/app.conf" in strict.error and "Nowhere" in strict.error
    assert lenient.error is None
    assert any(level == "warning" and "Nowhere" in message for level, message in machine.log.lines)


async def test_install_to_is_purged_first_except_the_exclusions(tmp_path):
    machine = Machine(tmp_path)
    install_to = tmp_path / "srv"
    for name in ("old.txt", "logs/app.log", "logs/2026/may.log", "data/keep/x", "data/drop/y", "config/app.conf"):
        (install_to / name).parent.mkdir(parents=True, exist_ok=True)
        (install_to / name).write_text("old")

    result = await machine.deploy(
        machine.request(install_to=str(install_to), purge_install_to=True, purge_exclusions=("logs/**", "data/keep"))
    )

    assert result.error is None, machine.log.text()
    kept = sorted(str(p.relative_to(install_to)) for p in install_to.rglob("*") if p.is_file())
    assert kept == [
        "appsettings.json",
        "bin/app.sh",
        "config/app.conf",
        "data/keep/x",
        "logs/2026/may.log",
        "logs/app.log",
    ]
    assert (install_to / "config" / "app.conf").read_text() == "env=Test"
    assert result.outputs["Octopus.Action.Package.InstallationDirectoryPath"] == str(install_to)
    assert result.outputs["Package.CopiedFileCount"] == str(len(APP_FILES))


async def test_install_to_may_not_hold_the_extraction_directory(tmp_path):
    machine = Machine(tmp_path)

    result = await machine.deploy(machine.request(install_to=str(machine.applications), purge_install_to=True))

    assert result.error is not None and "install_to" in result.error
    assert (machine.applications / "Test" / "RandomQuotes" / "1.0.0" / "bin" / "app.sh").exists()
    assert machine.stages()[-1] == "failed"


async def test_the_journal_keeps_the_last_installs_of_each_project_environment_and_step(tmp_path):
    machine = Machine(tmp_path)
    other = await machine.deploy(machine.request(step="Other", version="0.9.0", keep_installs=1))
    versions = ["1.0.0", "1.0.1", "1.0.2", "1.0.3"]
    for i, version in enumerate(versions):
        result = await machine.deploy(machine.request(version=version, keep_installs=2), now=NOW + timedelta(hours=i))
        assert result.error is None, machine.log.text()

    base = machine.applications / "Test" / "RandomQuotes"
    assert sorted(p.name for p in base.iterdir()) == ["0.9.0", "1.0.2", "1.0.3"]
    entries = DeploymentJournal(machine.applications).entries()
    assert [(e.step, e.version) for e in entries] == [("Other", "0.9.0"), ("Deploy", "1.0.2"), ("Deploy", "1.0.3")]
    assert other.error is None
    assert f"Removed the older installation {base / '1.0.1'}" in machine.log.text()
    document = json.loads((machine.applications / JOURNAL_NAME).read_text())
    assert document["installations"][-1]["when"] == (NOW + timedelta(hours=3)).isoformat()


async def test_a_custom_installation_directory_is_never_removed_by_retention(tmp_path):
    machine = Machine(tmp_path)
    install_to = tmp_path / "srv"
    for version in ("1.0.0", "1.0.1"):
        await machine.deploy(machine.request(version=version, keep_installs=1, install_to=str(install_to)))

    assert (install_to / "bin" / "app.sh").exists()
    assert not (machine.applications / "Test" / "RandomQuotes" / "1.0.0").exists()


async def test_an_archive_escaping_its_directory_fails_and_leaves_nothing_behind(tmp_path):
    machine = Machine(tmp_path)
    files = {"ok.txt": "fine", "../../escaped.txt": "outside"}

    result = await machine.deploy(machine.request(files=files, fmt=PackageFormat.TAR_GZ))

    assert result.error is not None and "RandomQuotes.1.0.0.tar.gz" in result.error
    assert list(machine.applications.iterdir()) == []
    assert not list(tmp_path.rglob("escaped.txt"))
    assert machine.stages() == []


async def test_a_canceled_deployment_stops_before_the_next_convention_without_deploy_failed(tmp_path):
    machine = Machine(tmp_path)
    cancel = asyncio.Event()
    cancel.set()

    result = await machine.deploy(machine.request(), cancel=cancel)

    assert result.error == "the deployment was canceled"
    assert machine.stages() == []


async def test_package_scripts_can_be_turned_off(tmp_path):
    machine = Machine(tmp_path)

    result = await machine.deploy(machine.request(run_package_scripts=False))

    assert result.error is None
    assert machine.stages() == []
    assert (machine.applications / "Test" / "RandomQuotes" / "1.0.0" / "config" / "app.conf").read_text() == "env=Test"
