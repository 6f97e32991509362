"""Settings, read once from the environment (prefix SEAWAY_) in the composition root and passed down.

docs/configuration.md is generated from these fields; every field carries a description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SEAWAY_", extra="ignore")

    data_dir: Path = Field(Path(".seaway"), description="SQLite database, master key, step working directories.")
    database_url: str | None = Field(
        None, description="`postgresql+asyncpg://…` for scale-out; unset: SQLite in the data directory."
    )
    public_url: str = Field("http://127.0.0.1:8080", description="Base of the links in emails.")
    master_key: str | None = Field(
        None, description="Key for sensitive variables (base64url, 32 bytes); unset: `master.key` in the data dir."
    )
    audit_signing_key: str | None = Field(
        None,
        description="Ed25519 key that signs the audit log's checkpoints (its 32-byte seed, base64url); unset: "
        "`audit-signing.key` in the data dir. Keep it out of the database's backups.",
    )
    task_cap: int = Field(5, ge=1, le=500, description="How many tasks one node runs at the same time.")
    lease_seconds: float = Field(
        15.0,
        gt=0,
        description="How long a node's claim on a work item lasts without a heartbeat before another "
        "node may take it over (the heartbeat comes every third of it, at most every 5 s).",
    )
    poll_seconds: float = Field(1.0, gt=0, description="How often an idle worker looks for work it was not woken for.")
    script_timeout_seconds: float = Field(3600.0, gt=0, description="Default timeout of a script step.")
    space_name: str = Field(
        "Default",
        min_length=1,
        max_length=200,
        description="The name of Seaway's one space (`Spaces-1`) as Octopus's clients see it.",
    )
    package_max_bytes: int = Field(
        4 * 1024**3, gt=0, description="The largest package the built-in feed accepts, in bytes (default 4 GiB)."
    )
    package_retention_days: int | None = Field(
        None,
        ge=1,
        description="Remove built-in feed packages this many days after they were pushed, unless a release "
        "deploys them; unset keeps every package.",
    )
    package_extract_max_bytes: int = Field(
        10 * 1024**3,
        gt=0,
        description="The most a package may unpack to, in bytes (default 10 GiB; a zip bomb stops there, as it "
        "does at 200 times the package's size).",
    )
    smtp_host: str | None = Field(None, description="SMTP server; unset: emails go to the outbox.")
    smtp_port: int = Field(25, description="SMTP port.")
    smtp_from: str = Field("seaway@localhost", description="Sender address of Seaway's emails.")
    smtp_username: str | None = Field(None, description="SMTP user name (optional).")
    smtp_password: str | None = Field(None, description="SMTP password (optional).")
    smtp_tls: Literal["none", "starttls", "tls"] = Field("none", description="`none`, `starttls` or `tls`.")
    session_hours: float = Field(
        12.0,
        gt=0,
        le=24 * 30,
        description="How long a browser sign-in session lasts at most, however busy, before signing in again.",
    )
    session_idle_minutes: float = Field(
        60.0,
        ge=5,
        le=24 * 60 * 30,
        description="How long a browser session may go unused before it ends (its last use is recorded "
        "at most once a minute).",
    )
    signin_lockout_failures: int = Field(
        5, ge=1, description="Failed sign-ins within the lockout window after which the account is locked."
    )
    signin_lockout_minutes: float = Field(
        15.0,
        gt=0,
        description="The lockout window: failures are counted within it, and a locked account stays locked "
        "for as long.",
    )
    link_failures_per_minute: int = Field(
        30, ge=1, description="Failed approval-link lookups one client IP may make per minute before it gets 429."
    )
    signin_failures_per_minute: int = Field(
        10, ge=1, description="Failed sign-ins per minute for one client IP (and one user name) before 429."
    )
    approval_link_hours: float = Field(
        72.0, gt=0, description="How long emailed approve/reject links stay valid (they die earlier once decided)."
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`text`, or `json`: one JSON object per line (time, level, logger, message, exception)."
    )
    metrics_enabled: bool = Field(True, description="Serve Prometheus metrics at `/metrics` (see docs/operations.md).")
    metrics_token: str | None = Field(
        None, description="When set, `/metrics` needs `Authorization: Bearer <token>`; unset: no authentication."
    )
    drain_seconds: float = Field(
        30.0,
        ge=0,
        description="On SIGTERM, how long running work may take to finish before it is handed back to run again.",
    )
    faults_enabled: bool = Field(
        False, description="For tests only: honour `SEAWAY_FAULT`. Never set it on a real server."
    )
    fault: str | None = Field(
        None,
        description="For tests only, with `SEAWAY_FAULTS_ENABLED`: the crash point (`after-claim`, "
        "`after-step-side-effect`, `before-complete`, `after-decision-commit`, `mid-log-flush`, optionally "
        "`:n` for the n-th time) where the server kills itself with SIGKILL.",
    )
    agent_port: int = Field(
        10943,
        ge=0,
        le=65535,
        description="Port the server listens on for polling agents (HTTPS, with the self-signed certificate "
        "`agent-listener.crt` made in the data dir at first start); 0: no agent listener.",
    )
    agent_host: str = Field("0.0.0.0", description="Address the agent listener binds to.")  # noqa: S104
    agent_timeout_seconds: float = Field(
        120.0,
        gt=0,
        description="Work a polling agent has not picked up after this long fails its step, and an agent that "
        "has not asked for work for this long is Unavailable.",
    )
    url: str = Field("http://127.0.0.1:8080", description="Server the CLI's client commands talk to.")
    api_key: str | None = Field(None, description="API key the CLI's client commands use.")

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir.resolve() / 'seaway.db'}"


def configuration_reference() -> str:
    """The text of docs/configuration.md, generated from the fields above (a test keeps the file in sync)."""
    lines = [
        "# Configuration reference",
        "",
        "Seaway reads its settings from environment variables once, at start. This page is generated from",
        "`src/seaway/settings.py`; `python -m seaway.settings > docs/configuration.md` refreshes it.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "unset" if default is None else f"`{default}`"
        lines.append(f"| `SEAWAY_{name.upper()}` | {shown} | {field.description or ''} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import sys

    sys.stdout.write(configuration_reference())
