"""Run a package's own scripts (`Deploy.sh`, `PostDeploy.py`, …) through a target, as the script step runs
its scripts: the same prelude and service messages, so that `set_octopusvariable` works.

They also read the step's variables with `get_octopusvariable "Name"` (bash: `$(get_octopusvariable "X")`),
as Octopus's packaged scripts do. The values are handed over in a file in the step's work directory,
readable by its owner only and removed once the script ends: sensitive values never appear in a process's
environment or command line.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import shlex
from collections.abc import Mapping
from pathlib import Path

from seaway.errors import TargetError
from seaway.packages.packaged_scripts import ScriptResult, ScriptRun
from seaway.steps.base import StepLog
from seaway.steps.script import (
    BASH_PRELUDE,
    PYTHON_PRELUDE,
    REMOTE_ENV,
    failure_of,
    output_collector,
    remote_argv,
    script_command,
    script_env,
)
from seaway.targets.base import Command, RemoteTarget, Target

# One variable a line, `base64(lower-cased name) base64(value)`: any name or value, newlines included, and
# read with nothing but bash and base64. Names ignore case, as Octopus's do.
_BASH_GET = r"""get_octopusvariable() {
  local wanted name value
  wanted=$(printf '%s' "${1,,}" | base64 -w0)
  while IFS=' ' read -r name value; do
    if [ "$name" = "$wanted" ]; then
      printf '%s' "$value" | base64 -d
      return 0
    fi
  done < SEAWAY_VARIABLES_FILE
  return 0
}
"""

_PYTHON_GET = r"""def get_octopusvariable(name):
    import base64 as _b64
    wanted = _b64.b64encode(str(name).lower().encode()).decode()
    with open(SEAWAY_VARIABLES_FILE, encoding="ascii") as _file:
        for _line in _file:
            _name, _, _value = _line.rstrip("\n").partition(" ")
            if _name == wanted:
                return _b64.b64decode(_value).decode()
    return ""


"""


def variables_file_text(variables: Mapping[str, str]) -> str:
    def encode(text: str) -> str:
        return base64.b64encode(text.encode()).decode()

    return "".join(f"{encode(name.lower())} {encode(value)}\n" for name, value in variables.items())


def wrapper_text(run: ScriptRun, variables_file: Path) -> str:
    """The script that defines the Octopus functions, then runs the package's script in the same process."""
    if run.syntax == "python":
        getter = _PYTHON_GET.replace("SEAWAY_VARIABLES_FILE", repr(str(variables_file)))
        return (
            PYTHON_PRELUDE
            + getter
            + "import runpy as _runpy, sys as _sys\n"
            + f"_sys.argv = [{str(run.script)!r}]\n"
            + f"_runpy.run_path({str(run.script)!r}, run_name='__main__', init_globals="
            + "{'set_octopusvariable': set_octopusvariable, 'get_octopusvariable': get_octopusvariable})\n"
        )
    getter = _BASH_GET.replace("SEAWAY_VARIABLES_FILE", shlex.quote(str(variables_file)))
    return BASH_PRELUDE + getter + f". {shlex.quote(str(run.script))}\n"


class TargetScriptRunner:
    """Runs packaged scripts on `target`; their output goes to `log`, their helper files to `workdir`."""

    def __init__(self, target: Target, workdir: Path, log: StepLog) -> None:
        self.target = target
        self.workdir = workdir
        self.log = log

    async def __call__(self, run: ScriptRun, *, cancel: asyncio.Event) -> ScriptResult:
        self.workdir.mkdir(parents=True, exist_ok=True)
        variables_file = self.workdir / f"{run.stage}.variables"
        wrapper = self.workdir / f"{run.stage}{'.py' if run.syntax == 'python' else '.sh'}"
        await asyncio.to_thread(_write_private, variables_file, variables_file_text(run.variables))
        wrapper.write_text(wrapper_text(run, variables_file), encoding="utf-8")
        outputs: dict[str, str] = {}
        command = Command(script_command(run.syntax, wrapper), script_env(self.workdir), run.cwd, run.timeout)
        try:
            result = await self.target.run(command, on_line=output_collector(outputs, self.log), cancel=cancel)
        finally:
            with contextlib.suppress(FileNotFoundError):
                variables_file.unlink()
        return ScriptResult(outputs, failure_of(result, run.timeout))


class RemoteScriptRunner:
    """Runs packaged scripts on a remote target: the wrapper and the variables file go up to the step's
    directory there (`remote_dir`, the account's alone), and the variables file is removed once it ran."""

    def __init__(self, target: RemoteTarget, remote_dir: str, workdir: Path, log: StepLog) -> None:
        self.target, self.remote_dir, self.workdir, self.log = target, remote_dir, workdir, log

    async def __call__(self, run: ScriptRun, *, cancel: asyncio.Event) -> ScriptResult:
        self.workdir.mkdir(parents=True, exist_ok=True)
        name = f"{run.stage}{'.py' if run.syntax == 'python' else '.sh'}"
        local_variables = self.workdir / f"{run.stage}.variables"
        remote_variables = f"{self.remote_dir}/{run.stage}.variables"
        (self.workdir / name).write_text(wrapper_text(run, Path(remote_variables)), encoding="utf-8")
        await asyncio.to_thread(_write_private, local_variables, variables_file_text(run.variables))
        try:
            await self.target.upload(local_variables, remote_variables)
        finally:
            local_variables.unlink()
        await self.target.upload(self.workdir / name, f"{self.remote_dir}/{name}")
        outputs: dict[str, str] = {}
        command = Command(remote_argv(run.syntax, f"{self.remote_dir}/{name}"), REMOTE_ENV, run.cwd, run.timeout)
        try:
            result = await self.target.run(command, on_line=output_collector(outputs, self.log), cancel=cancel)
        finally:
            await self._remove(remote_variables)
        return ScriptResult(outputs, failure_of(result, run.timeout))

    async def _remove(self, remote: str) -> None:
        async def ignore(level: str, line: str) -> None:
            return None

        command = Command(["rm", "-f", "--", remote], REMOTE_ENV, Path(self.remote_dir), 30.0)
        with contextlib.suppress(TargetError):  # a target that went away keeps it in the account's directory
            await self.target.run(command, on_line=ignore, cancel=asyncio.Event())


def _write_private(path: Path, text: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(text)
