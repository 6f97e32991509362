"""The scripts a package carries in its root: `PreDeploy`, `Deploy`, `PostDeploy` and `DeployFailed`.

On Linux Octopus prefers `.sh` to `.py` and runs only one of them per stage. Where and how a script runs
(this server, an SSH host, an agent) is the `ScriptRunner`'s business, not the deployment's.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class Stage(StrEnum):
    PRE_DEPLOY = "PreDeploy"
    DEPLOY = "Deploy"
    POST_DEPLOY = "PostDeploy"
    DEPLOY_FAILED = "DeployFailed"


# The file extensions tried, best first, and the syntax each is run with.
SCRIPT_SYNTAXES = ((".sh", "bash"), (".py", "python"))


@dataclass(frozen=True)
class ScriptRun:
    stage: Stage
    script: Path
    syntax: str  # bash | python
    cwd: Path  # the installation directory
    variables: Mapping[str, str]  # evaluated: what `get_octopusvariable` answers
    timeout: float


@dataclass(frozen=True)
class ScriptResult:
    outputs: Mapping[str, str] = field(default_factory=dict)  # what the script set with `set_octopusvariable`
    error: str | None = None


class ScriptRunner(Protocol):
    async def __call__(self, run: ScriptRun, *, cancel: asyncio.Event) -> ScriptResult:
        """Run the script, writing its output to the deployment's log."""
        ...


def find_script(directory: Path, stage: Stage) -> tuple[Path, str] | None:
    """The script for `stage` in `directory` and its syntax, or None when the package has none."""
    for extension, syntax in SCRIPT_SYNTAXES:
        path = directory / f"{stage}{extension}"
        if path.is_file():
            return path, syntax
    return None


def delete_scripts(directory: Path) -> None:
    """Octopus removes a package's deployment scripts once they have run (`OctopusDeleteScriptsOnCleanup`)."""
    for stage in Stage:
        for extension, _ in SCRIPT_SYNTAXES:
            with contextlib.suppress(FileNotFoundError):
                (directory / f"{stage}{extension}").unlink()
