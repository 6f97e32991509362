"""An agent directory (`--dir`, default `~/.seaway-agent`) holds one or more registrations, each in
`registrations/<name>.json` (owner only: it holds the secret) with its own directory `<name>/` for work."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from seaway.errors import InvalidInput

DEFAULT_DIR = Path("~/.seaway-agent")


@dataclass(frozen=True)
class Registration:
    name: str
    agent_url: str  # https://host:port of the server's agent listener
    secret: str
    certificate: str  # the listener's certificate (PEM), the only one trusted
    thumbprint: str  # its SHA-256, as the server announced it
    ca_file: str = ""  # instead of the pinned certificate: trust this CA (and check the host name)

    @property
    def label(self) -> str:
        return self.name


def registrations_dir(base: Path) -> Path:
    return base / "registrations"


def home_of(base: Path, name: str) -> Path:
    return (base / name).resolve()


def save(base: Path, registration: Registration) -> Path:
    folder = registrations_dir(base)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{registration.name}.json"
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(asdict(registration), handle, indent=2)
    temporary.replace(path)
    home_of(base, registration.name).mkdir(parents=True, exist_ok=True)
    return path


def load_all(base: Path) -> list[Registration]:
    folder = registrations_dir(base)
    found = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not found:
        raise InvalidInput(f"{base} holds no registration; run `seaway agent register` first", field="--dir")
    registrations = []
    for path in found:
        try:
            registrations.append(Registration(**json.loads(path.read_text(encoding="utf-8"))))
        except (ValueError, TypeError) as exc:
            raise InvalidInput(f"{path} is not a registration: {exc}", field="--dir") from None
    return registrations
