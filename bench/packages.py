"""What the built-in feed and the deploy-package step cost, against the native tools on the same file.

    python bench/packages.py                  # a 200 MB package
    python bench/packages.py --megabytes 50

- **push**: `seaway package push`'s HTTP upload of the package to a real `seaway server` (SQLite) against
  `cp` of the same file into the same file system; the server's resident memory is read from
  `/proc/<pid>/status` before and after (VmHWM, the peak). Aims (issue 12): push ≤ 2× `cp`, memory growth
  during the push < 64 MB.
- **extract**: `packages.archives.extract_archive` of the zip against `unzip -q`, and of the tar.gz against
  `tar -xzf`, each into a fresh directory on the same file system. Aim: ≤ 1.5× the native tool.

Each ratio is the median of the rounds, the two sides interleaved round by round in one process.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import httpx

from seaway.domain.packages import PackageFormat
from seaway.packages.archives import extract_archive

PUSH_AIM, EXTRACT_AIM, MEMORY_AIM_MB = 2.0, 1.5, 64.0
ROUNDS = 5
ROOT = Path(__file__).resolve().parents[1]
SEAWAY = [sys.executable, "-m", "seaway.cli.main"]


def build_files(directory: Path, megabytes: int) -> Path:
    """An application of many files, half of them compressible text and half random bytes."""
    app = directory / "app"
    app.mkdir()
    per_file = 4 * 1024 * 1024
    for index in range(max(megabytes * 1024 * 1024 // per_file, 1)):
        path = app / f"part-{index:03d}.{'txt' if index % 2 else 'bin'}"
        if index % 2:
            line = f"line of the random quotes application, file {index}\n".encode()
            path.write_bytes(line * (per_file // len(line)))
        else:
            path.write_bytes(os.urandom(per_file))
    return app


def build_zip(app: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(app.iterdir()):
            archive.write(path, path.name)
    return target


def build_tar_gz(app: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz", compresslevel=1) as archive:
        for path in sorted(app.iterdir()):
            archive.add(path, path.name)
    return target


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def memory_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def start_server(data: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEAWAY_")}
    env.update(SEAWAY_DATA_DIR=str(data), SEAWAY_DATABASE_URL=f"sqlite:///{data}/seaway.db")
    subprocess.run([*SEAWAY, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [*SEAWAY, "admin", "create-user", "bench", "--email", "bench@example.org", "--admin"],
        env=env,
        check=True,
        capture_output=True,
    )
    key = subprocess.run(
        [*SEAWAY, "admin", "create-api-key", "bench"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    server = subprocess.Popen(
        [*SEAWAY, "server", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return server, url, {"X-Seaway-ApiKey": key}
        except httpx.HTTPError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("the server did not start")


def bench_push(package: Path, scratch: Path) -> dict[str, float]:
    server, url, headers = start_server(scratch / "data")
    try:
        copies, pushes = [], []
        before = memory_kb(server.pid, "VmRSS")
        with httpx.Client(base_url=f"{url}/api/v1", headers=headers, timeout=None) as client:
            for round_number in range(ROUNDS):
                target = scratch / f"copy-{round_number}"
                copies.append(timed(lambda t=target: subprocess.run(["cp", str(package), str(t)], check=True)))
                target.unlink()

                def push() -> None:
                    with package.open("rb") as content:
                        response = client.post(
                            "/packages",
                            params={"overwrite_mode": "overwrite"},
                            files={"file": (package.name, content, "application/zip")},
                        )
                    response.raise_for_status()

                pushes.append(timed(push))
        peak = memory_kb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait(30)
    return {
        "cp_seconds": statistics.median(copies),
        "push_seconds": statistics.median(pushes),
        "push_to_cp": statistics.median(p / c for p, c in zip(pushes, copies, strict=True)),
        "memory_growth_mb": (peak - before) / 1024,
    }


def bench_extract(archive: Path, fmt: PackageFormat, native: list[str], scratch: Path) -> dict[str, float]:
    ours, theirs = [], []
    for round_number in range(ROUNDS):
        native_dir = scratch / f"native-{round_number}"
        native_dir.mkdir()
        theirs.append(timed(lambda d=native_dir: subprocess.run([*native, str(archive)], cwd=d, check=True)))
        shutil.rmtree(native_dir)
        our_dir = scratch / f"ours-{round_number}"
        ours.append(timed(lambda d=our_dir: extract_archive(archive, d, fmt)))
        shutil.rmtree(our_dir)
    return {
        "native_seconds": statistics.median(theirs),
        "seaway_seconds": statistics.median(ours),
        "ratio": statistics.median(o / t for o, t in zip(ours, theirs, strict=True)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--megabytes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="seaway-bench-packages-", dir=ROOT / ".seaway-bench") as tmp:
        scratch = Path(tmp)
        app = build_files(scratch, args.megabytes)
        package = build_zip(app, scratch / "RandomQuotes.1.0.0.zip")
        tarball = build_tar_gz(app, scratch / "RandomQuotes.1.0.0.tar.gz")
        shutil.rmtree(app)
        push = bench_push(package, scratch)
        unzip = bench_extract(package, PackageFormat.ZIP, ["unzip", "-q"], scratch)
        untar = bench_extract(tarball, PackageFormat.TAR_GZ, ["tar", "-xzf"], scratch)
    size_mb = package.stat().st_size / 1e6 if package.exists() else args.megabytes
    results = {"package_mb": round(size_mb, 1), "push": push, "extract_zip": unzip, "extract_tar_gz": untar}
    print(json.dumps(results, indent=2))
    print(
        f"push {push['push_to_cp']:.2f}x cp (aim <= {PUSH_AIM}), memory +{push['memory_growth_mb']:.1f} MB "
        f"(aim < {MEMORY_AIM_MB}); extract zip {unzip['ratio']:.2f}x unzip, tar.gz {untar['ratio']:.2f}x tar "
        f"(aim <= {EXTRACT_AIM})"
    )


if __name__ == "__main__":
    (ROOT / ".seaway-bench").mkdir(exist_ok=True)
    main()
