"""What an SSH target needs, asked in one round trip: bash at /bin/bash, tar, python3 (3.8 or later), and
free disk space under $HOME; the answers turned into a health report.

The probe is plain POSIX sh run by the account's login shell, so a missing bash is reported rather than
making the probe itself fail. Its answers carry a prefix, since a login shell may print its own lines.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from seaway.domain.targets import HealthReport, HealthStatus

MIN_PYTHON = (3, 8)
LOW_DISK_BYTES = 500 * 10**6
_PREFIX = "seaway-probe"
_VERSION = re.compile(r"\d+(?:\.\d+)+")

_PROBE = f"""\
p={_PREFIX}
if [ -x /bin/bash ]; then
  echo "$p bash $(/bin/bash --noprofile --norc -c 'echo "${{BASH_VERSINFO[0]}}.${{BASH_VERSINFO[1]}}"')"
fi
if command -v tar >/dev/null 2>&1; then
  echo "$p tar $(tar --version 2>&1 | {{ read -r line; echo "$line"; }})"
fi
if command -v python3 >/dev/null 2>&1; then
  version='import sys; print("%d.%d.%d" % sys.version_info[:3])'
  echo "$p python3 $(python3 -c "$version" 2>&1 | {{ read -r line; echo "$line"; }})"
fi
echo "$p home $HOME"
df -Pk "$HOME" 2>/dev/null | {{ read -r _; read -r _ _ _ available _; echo "$p free-kb $available"; }}
"""


def probe_script(path: str | None = None) -> str:
    """The probe, looking for tools on `path` when given (the PATH scripts will run with), else on the
    session's own PATH."""
    if path is None:
        return _PROBE
    return f"PATH={shlex.quote(path)}; export PATH\n{_PROBE}"


@dataclass(frozen=True)
class Probe:
    bash: str | None = None
    tar: str | None = None
    python3: str | None = None
    home: str = ""
    free_bytes: int | None = None


def parse_probe(output: str) -> Probe:
    facts: dict[str, str] = {}
    for line in output.splitlines():
        prefix, _, rest = line.partition(" ")
        if prefix == _PREFIX:
            name, _, value = rest.partition(" ")
            facts[name] = value.strip()
    free_kb = facts.get("free-kb", "")
    return Probe(
        bash=facts.get("bash"),
        tar=facts.get("tar"),
        python3=facts.get("python3"),
        home=facts.get("home", ""),
        free_bytes=int(free_kb) * 1024 if free_kb.isdigit() else None,
    )


def report(probe: Probe) -> HealthReport:
    problems: list[str] = []
    warnings: list[str] = []
    found: list[str] = []
    if probe.bash is None:
        problems.append("bash is missing at /bin/bash (every script runs with it)")
    else:
        found.append(f"bash {probe.bash}")
    if probe.tar is None:
        problems.append("tar is missing from PATH (packages are unpacked with it)")
    else:
        found.append(f"tar {_version(probe.tar) or probe.tar}")
    python_problem = _python_problem(probe.python3)
    if python_problem:
        problems.append(python_problem)
    else:
        found.append(f"python {probe.python3}")
    where = probe.home or "$HOME"
    if probe.free_bytes is None:
        warnings.append(f"could not measure the free disk space under {where}")
    else:
        found.append(f"{_size(probe.free_bytes)} free")
        if probe.free_bytes < LOW_DISK_BYTES:
            warnings.append(f"only {_size(probe.free_bytes)} free under {where} (less than {_size(LOW_DISK_BYTES)})")
    if problems:
        status = HealthStatus.UNHEALTHY
    elif warnings:
        status = HealthStatus.HAS_WARNINGS
    else:
        status = HealthStatus.HEALTHY
    summary = (", ".join(found),) if found else ()
    return HealthReport(status, (*problems, *warnings, *summary))


def _python_problem(answer: str | None) -> str | None:
    needed = ".".join(map(str, MIN_PYTHON))
    if answer is None:
        return f"python3 is missing from PATH (Python {needed} or later is needed)"
    version = _version(answer)
    if version is None:
        return f"python3 does not run: {answer}"
    if tuple(int(part) for part in version.split(".")[:2]) < MIN_PYTHON:
        return f"python3 is {version}; Python {needed} or later is needed"
    return None


def _version(text: str) -> str | None:
    match = _VERSION.search(text)
    return match.group() if match else None


def _size(size: int) -> str:
    if size >= 10**9:
        return f"{size / 10**9:.1f} GB"
    return f"{size // 10**6} MB"
