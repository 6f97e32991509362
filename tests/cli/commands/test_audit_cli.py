"""`seaway audit verify`, `export` and `public-key`: online against the database, and offline from an export."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy as sa
from tests.fixtures.engine import make_settings
from tests.fixtures.server_process import ServerProcess, free_port, run_cli, seaway_env
from typer.testing import CliRunner

from seaway.bootstrap import build_services
from seaway.cli.main import app
from seaway.store.audit import AuditEvent

runner = CliRunner()


@pytest.fixture
def seaway(db_url: str, tmp_path: Path):
    """Runs `seaway …` in process against this test's database; `.record(n)` and `.sql(...)` change it."""

    class Seaway:
        url = db_url
        data_dir = tmp_path / "data"
        env: ClassVar[dict[str, str]] = {"SEAWAY_DATABASE_URL": db_url, "SEAWAY_DATA_DIR": str(tmp_path / "data")}

        def __call__(self, *args: str):
            return runner.invoke(app, list(args), env=self.env)

        def record(self, count: int, at: datetime | None = None, **fields) -> None:
            async def go() -> None:
                services = build_services(make_settings(db_url, self.data_dir))
                try:
                    async with services.store.transaction() as uow:
                        for n in range(count):
                            event = {"action": "task.canceled", "entity": "task", "entity_id": f"ServerTasks-{n}"}
                            await uow.audit.record(AuditEvent(at=at or services.clock.now(), **{**event, **fields}))
                finally:
                    await services.close()

            asyncio.run(go())

        def sql(self, statement: str) -> None:
            async def go() -> None:
                services = build_services(make_settings(db_url, self.data_dir))
                try:
                    async with services.database.connect() as conn:
                        await conn.execute(sa.text(statement))
                finally:
                    await services.close()

            asyncio.run(go())

    return Seaway()


def export_file(seaway, path: Path, *args: str) -> dict:
    exported = seaway("audit", "export", "--output", str(path), *args)
    assert exported.exit_code == 0, exported.output
    return json.loads(path.read_text())


def test_verify_exits_0_with_a_summary_and_1_naming_the_first_bad_event(seaway):
    seaway.record(4, actor="alice")
    assert seaway("audit", "public-key").exit_code == 0  # creates the signing key
    seaway("audit", "export", "--output", "/dev/null")  # signs a checkpoint
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)  # written to, never renamed over
    seaway.record(1)
    intact = seaway("audit", "verify")
    assert intact.exit_code == 0, intact.output
    assert intact.output == (
        "intact: 5 event(s) (AuditEvents-1 … AuditEvents-5), 1 checkpoint(s), signed through AuditEvents-4 "
        "(1 later event(s) not signed yet)\n"
    )
    seaway.sql("UPDATE audit_events SET details = '{\"forged\": true}' WHERE id = 2")
    tampered = seaway("audit", "verify")
    assert tampered.exit_code == 1
    assert tampered.output == "NOT intact: AuditEvents-2: its content does not match its hash: edited\n"


def test_verify_without_any_key_asks_for_the_public_key(seaway):
    seaway.record(1)
    refused = seaway("audit", "verify")
    assert refused.exit_code == 2 and "--public-key" in refused.output


def test_export_json_carries_the_range_its_anchor_and_checkpoints_and_verifies_offline(seaway, tmp_path):
    seaway.record(3)
    document = export_file(seaway, tmp_path / "all.json")
    assert [e["id"] for e in document["events"]] == [1, 2, 3] and document["anchor_events"] == []
    assert [c["last_event_id"] for c in document["checkpoints"]] == [3]
    public = seaway("audit", "public-key").output.strip()
    (tmp_path / "audit.pub").write_text(public + "\n")

    offline = runner.invoke(
        app,
        ["audit", "verify", "--file", str(tmp_path / "all.json"), "--public-key", str(tmp_path / "audit.pub")],
        env={"SEAWAY_DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none", "SEAWAY_DATA_DIR": "/nonexistent"},
    )
    assert offline.exit_code == 0, offline.output
    assert offline.output.startswith("intact: 3 event(s) (AuditEvents-1 … AuditEvents-3), 1 checkpoint(s)")


def test_an_export_of_a_range_reaches_the_next_checkpoint_and_verifies_from_mid_chain(seaway, tmp_path):
    seaway.record(2, at=datetime(2026, 3, 1, 9, tzinfo=UTC))
    seaway.record(3, at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    seaway("audit", "export", "--output", "/dev/null")  # a checkpoint at 5
    seaway.record(2, at=datetime(2026, 3, 3, 9, tzinfo=UTC))
    key = seaway("audit", "public-key").output.strip()

    march_2 = export_file(seaway, tmp_path / "mid.json", "--from", "2026-03-02", "--to", "2026-03-03")
    assert [e["id"] for e in march_2["events"]] == [3, 4, 5] and march_2["anchor_events"] == []
    assert [c["last_event_id"] for c in march_2["checkpoints"]] == [5]
    assert march_2["events"][0]["prev_hash"] != "0" * 64  # taken as given
    march_1 = export_file(seaway, tmp_path / "start.json", "--to", "2026-03-02")
    assert [e["id"] for e in march_1["events"]] == [1, 2]
    assert [e["id"] for e in march_1["anchor_events"]] == [3, 4, 5]
    march_3 = export_file(seaway, tmp_path / "end.json", "--from", "2026-03-03")
    assert [e["id"] for e in march_3["events"]] == [6, 7]
    assert [c["last_event_id"] for c in march_3["checkpoints"]] == [7]  # signed by this export
    for name in ("mid.json", "start.json", "end.json"):
        verified = seaway("audit", "verify", "--file", str(tmp_path / name), "--public-key", key)
        assert verified.exit_code == 0, (name, verified.output)
    assert export_file(seaway, tmp_path / "none.json", "--from", "2027-01-01")["events"] == []


def test_a_tampered_export_fails_offline_naming_the_first_bad_event(seaway, tmp_path):
    seaway.record(4)
    document = export_file(seaway, tmp_path / "log.json")
    key = seaway("audit", "public-key").output.strip()
    edited = json.loads(json.dumps(document))
    edited["events"][2]["actor"] = "mallory"
    (tmp_path / "edited.json").write_text(json.dumps(edited))
    result = seaway("audit", "verify", "--file", str(tmp_path / "edited.json"), "--public-key", key)
    assert result.exit_code == 1 and result.output.startswith("NOT intact: AuditEvents-3: its content does not match")
    cut = json.loads(json.dumps(document))
    del cut["events"][1]
    (tmp_path / "cut.json").write_text(json.dumps(cut))
    result = seaway("audit", "verify", "--file", str(tmp_path / "cut.json"), "--public-key", key)
    assert result.exit_code == 1 and result.output.startswith("NOT intact: AuditEvents-2: missing between")
    unsigned = json.loads(json.dumps(document))
    unsigned["checkpoints"] = []
    (tmp_path / "unsigned.json").write_text(json.dumps(unsigned))
    result = seaway("audit", "verify", "--file", str(tmp_path / "unsigned.json"), "--public-key", key)
    assert result.exit_code == 1 and "no signed checkpoint vouches" in result.output
    other_key = "11" * 32
    result = seaway("audit", "verify", "--file", str(tmp_path / "log.json"), "--public-key", other_key)
    assert result.exit_code == 1 and "is not signed by the audit key" in result.output


def test_export_csv_has_one_row_per_event_with_its_hashes(seaway, tmp_path):
    seaway.record(2, project="Quotes", details={"after": {"name": "x"}})
    exported = seaway("audit", "export", "--format", "csv")
    assert exported.exit_code == 0, exported.output
    table = list(csv.DictReader(io.StringIO(exported.stdout)))
    assert [row["id"] for row in table] == ["1", "2"] and table[1]["prev_hash"] == table[0]["hash"]
    assert table[0]["project"] == "Quotes" and json.loads(table[0]["details"]) == {"after": {"name": "x"}}


def test_export_refuses_to_sign_over_a_changed_chain_and_writes_nothing(seaway, tmp_path):
    seaway.record(2)
    seaway.sql("UPDATE audit_events SET actor = 'mallory' WHERE id = 1")
    refused = seaway("audit", "export", "--output", str(tmp_path / "out.json"))
    assert refused.exit_code == 1 and refused.output.startswith("NOT intact: AuditEvents-1")
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", "export", "--from", "soon"], "--from"),
        (["audit", "export", "--from", "2026-03-02", "--to", "2026-03-01"], "--to"),
        (["audit", "export", "--format", "xml"], "--format"),
        (["audit", "verify", "--file", "x.json"], "--public-key"),
        (["audit", "verify", "--file", "/no/such.json", "--public-key", "00" * 32], "--file"),
        (["audit", "verify", "--public-key", "not a key"], "--public-key"),
    ],
)
def test_bad_input_exits_2_naming_the_option(seaway, args, message):
    result = seaway(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output


def test_offline_verify_runs_as_a_real_process_with_no_database(seaway, tmp_path):
    seaway.record(1)
    export_file(seaway, tmp_path / "log.json")
    key = seaway("audit", "public-key").output.strip()
    env = seaway_env("postgresql+asyncpg://nobody@127.0.0.1:1/none", tmp_path / "elsewhere")
    result = run_cli(["audit", "verify", "--file", str(tmp_path / "log.json"), "--public-key", key], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("intact: 1 event(s)") and not (tmp_path / "elsewhere").exists()


def test_the_server_signs_a_checkpoint_when_one_is_due(seaway):
    seaway.record(2)
    server = ServerProcess(seaway_env(seaway.url, seaway.data_dir), free_port())
    server.start()
    server.stop()  # a stop waits for a checkpoint being signed: the first look comes as the server starts
    verified = seaway("audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "(AuditEvents-1 … AuditEvents-2), 1 checkpoint(s), signed through AuditEvents-2" in verified.output
