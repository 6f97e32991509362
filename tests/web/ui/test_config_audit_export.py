"""Downloading the audit log from its page: the export `seaway audit export` writes, signed so that the JSON
verifies offline, for those who hold `audit.export` over everything."""

from __future__ import annotations

import csv
import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.fixtures.approvals import set_up
from tests.fixtures.live_server import add_person, page_client, sign_in

from seaway.domain.audit_chain import verify_chain
from seaway.domain.audit_exports import CSV_COLUMNS, read_export
from seaway.domain.users import Team, TeamRole
from seaway.engine.audit_checkpoints import keys_by_id, signature_check
from seaway.security.signing import SigningKey

AUDIT = "/configuration/audit"


@pytest.fixture
async def client(services):
    async with page_client(services) as client:
        yield client


def export_links(html: str) -> dict[str, str]:
    return {
        label: unescape(url)
        for url, label in re.findall(r'<a href="([^"]*/audit/export[^"]*)" download>(\w+)</a>', html)
    }


async def test_the_page_links_json_and_csv_for_its_dates_and_the_json_verifies_offline(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    whole = export_links((await client.get(AUDIT)).text)
    dated = export_links((await client.get(AUDIT, params={"from": "2000-01-01", "actor": "root"})).text)
    as_json = await client.get(whole["JSON"])
    as_csv = await client.get(whole["CSV"])
    empty = await client.get(dated["JSON"].replace("2000-01-01", "2999-01-01"))

    assert set(whole) == {"JSON", "CSV"} and "format=csv" in whole["CSV"]
    assert "from=2000-01-01" in dated["JSON"] and "actor" not in dated["JSON"]
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    assert as_json.headers["content-disposition"].startswith('attachment; filename="seaway-audit-')
    settings = services.settings
    key = SigningKey.load(Path(settings.data_dir).resolve(), settings.audit_signing_key)
    exported = read_export(as_json.text)
    result = verify_chain(
        exported.chain, exported.checkpoints, signature_check(keys_by_id(key.public_key)), require_signed_end=True
    )
    assert result.intact and result.events == len(exported.events) > 0
    rows = list(csv.reader(io.StringIO(as_csv.text)))
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert rows[0] == list(CSV_COLUMNS) and len(rows) - 1 >= len(exported.events)
    assert json.loads(empty.text)["events"] == []


async def test_bad_parameters_are_refused_naming_them(services, client):
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")

    bad_format = await client.get(f"{AUDIT}/export", params={"format": "xml"})
    bad_date = await client.get(f"{AUDIT}/export", params={"from": "yesterday"})
    backwards = await client.get(f"{AUDIT}/export", params={"from": "2026-02-01", "to": "2026-01-01"})

    assert bad_format.status_code == bad_date.status_code == backwards.status_code == 422
    assert "json or csv" in bad_format.text and "is not a time" in bad_date.text and "after its start" in backwards.text


async def test_without_audit_export_everywhere_there_are_no_links_and_the_download_is_a_403(services, client):
    await set_up(services)
    await add_person(services, "prod_auditor")
    async with services.store.transaction() as uow:
        await uow.teams.add(Team("Prod auditors", ("prod_auditor",), (TeamRole("auditor", environments=("Prod",)),)))
    await sign_in(client, "prod_auditor")

    page = await client.get(AUDIT)
    download = await client.get(f"{AUDIT}/export", params={"format": "json"})

    assert page.status_code == 200 and export_links(page.text) == {}
    assert download.status_code == 403 and "audit" in download.text


async def test_a_chain_that_does_not_verify_is_not_signed_nor_downloaded(services, client):
    await set_up(services)
    await add_person(services, "root", is_admin=True)
    await sign_in(client, "root")
    first = await client.get(f"{AUDIT}/export", params={"format": "json"})
    async with services.store.reading() as uow:
        checkpoints = await uow.audit.checkpoints()
    last = checkpoints[-1].last_event_id  # the event the export's checkpoint vouches for, changed behind its back
    async with services.database.connect() as conn:
        await conn.execute(sa.text(f"UPDATE audit_events SET actor = 'mallory' WHERE id = {last}"))
    await sign_in(client, "root")  # audited: something more to sign

    refused = await client.get(f"{AUDIT}/export", params={"format": "csv"})

    assert first.status_code == 200
    assert refused.status_code == 409 and f"NOT intact: AuditEvents-{last}" in refused.text
    assert "content-disposition" not in refused.headers
    async with services.store.reading() as uow:
        assert await uow.audit.checkpoints() == checkpoints
