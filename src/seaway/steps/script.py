"""Run a bash or python script on the server, with Octopus-style output variables.

The script text is variable-substituted first. A script sets an output variable by calling
`set_octopusvariable "Name" "value"` (bash) / `set_octopusvariable("Name", "value")` (python); the call
prints a service message that is parsed here and kept out of the log. Later steps read it as
`#{Octopus.Action[<step>].Output.Name}`.
"""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

from seaway.steps.base import Failed, StepContext, StepExecutor, StepLog, StepOutcome, Succeeded
from seaway.targets.base import Command, CommandResult, LineSink, RemoteTarget, Target

SERVICE_MESSAGE_PREFIX = "##octopus["
_SERVICE_MESSAGE = re.compile(
    r"^##octopus\[setVariable name='(?P<name>[A-Za-z0-9+/=]*)' value='(?P<value>[A-Za-z0-9+/=]*)'"
)

BASH_PRELUDE = r"""set_octopusvariable() {
  local name value
  name=$(printf '%s' "$1" | base64 -w0)
  value=$(printf '%s' "$2" | base64 -w0)
  printf "##octopus[setVariable name='%s' value='%s']\n" "$name" "$value"
}
"""

PYTHON_PRELUDE = r"""def set_octopusvariable(name, value):
    import base64 as _b64, sys as _sys
    _e = lambda s: _b64.b64encode(str(s).encode()).decode()
    print("##octopus[setVariable name='%s' value='%s']" % (_e(name), _e(value)), flush=True)


"""

CLEAN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def script_command(syntax: str, script_path: Path) -> list[str]:
    if syntax == "python":
        return [shutil.which("python3") or "python3", "-u", str(script_path)]
    return [shutil.which("bash") or "bash", "--noprofile", "--norc", "-e", str(script_path)]


def decode_service_message(line: str) -> tuple[str, str] | None:
    match = _SERVICE_MESSAGE.match(line)
    if match is None:
        return None
    try:
        name = base64.b64decode(match["name"]).decode()
        value = base64.b64decode(match["value"]).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return name, value


def output_collector(outputs: dict[str, str], log: StepLog) -> LineSink:
    """A line sink that keeps a script's service messages out of the log, as output variables in `outputs`."""

    async def on_line(level: str, line: str) -> None:
        # Called for every line a script prints (a million lines must not be slow): the regular expression
        # only runs on lines that can be service messages.
        if line.startswith(SERVICE_MESSAGE_PREFIX):
            decoded = decode_service_message(line)
            if decoded is not None:
                outputs[decoded[0]] = decoded[1]
                return
        # Waits while the task's log buffer is full: the script's output then stays in its pipe, and
        # the script itself blocks on writing, until the database has caught up.
        await log.write(line, level)

    return on_line


def script_env(home: Path) -> dict[str, str]:
    return {"PATH": CLEAN_PATH, "HOME": str(home), "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}


def failure_of(result: CommandResult, timeout: float) -> str | None:
    """Why a script's run failed, or None if it succeeded."""
    if result.canceled:
        return "the script was canceled"
    if result.timed_out:
        return f"the script did not finish within {timeout:g} seconds and was stopped"
    if result.exit_code != 0:
        return f"the script exited with code {result.exit_code}"
    return None


REMOTE_ENV = {"PATH": CLEAN_PATH, "LANG": "C.UTF-8", "PYTHONUNBUFFERED": "1"}  # HOME stays the account's


def make_script_step(target: Target, default_timeout: float) -> StepExecutor:
    async def run_script(ctx: StepContext) -> StepOutcome:
        syntax = str(ctx.step.prop("syntax", "bash"))
        body = ctx.render(str(ctx.step.prop("script", "")), "script")
        prelude = PYTHON_PRELUDE if syntax == "python" else BASH_PRELUDE
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        script_path = ctx.workdir / ("script.py" if syntax == "python" else "script.sh")
        script_path.write_text(prelude + body, encoding="utf-8")
        outputs: dict[str, str] = {}
        timeout = float(ctx.step.prop("timeout") or default_timeout)
        if isinstance(target, RemoteTarget):
            command = await _remote_command(target, ctx, syntax, script_path, timeout)
        else:
            command = Command(script_command(syntax, script_path), script_env(ctx.workdir), ctx.workdir, timeout)
        result = await target.run(command, on_line=output_collector(outputs, ctx.log), cancel=ctx.cancel)
        error = failure_of(result, timeout)
        return Succeeded(outputs) if error is None else Failed(error, outputs)

    return run_script


async def _remote_command(
    target: RemoteTarget, ctx: StepContext, syntax: str, script_path: Path, timeout: float
) -> Command:
    """The script goes up to `$HOME/.seaway/work/task-N/step-M/<target>/` and runs there with the target's own
    bash."""
    remote_dir = remote_step_dir(await target.work_dir(), ctx)
    remote_script = f"{remote_dir}/{script_path.name}"
    await target.upload(script_path, remote_script)
    return Command(remote_argv(syntax, remote_script), REMOTE_ENV, Path(remote_dir), timeout)


def remote_step_dir(work_dir: str, ctx: StepContext) -> str:
    """Where a step's files go on a target: `<work dir>/work/task-N/step-M[/<target>]`."""
    remote_dir = f"{work_dir}/work/task-{ctx.task_id}/step-{ctx.step_index + 1}"
    if ctx.machine:  # several targets may be one machine (accounts, agents): each its own directory
        remote_dir += f"/{ctx.machine}"
    return remote_dir


def remote_argv(syntax: str, remote_script: str) -> list[str]:
    """How a script on a target is run: its own python3, or /bin/bash, non-login."""
    if syntax == "python":
        return ["python3", "-u", remote_script]
    return ["/bin/bash", "--noprofile", "--norc", "-e", remote_script]
