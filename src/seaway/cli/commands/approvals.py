"""`seaway approvals list|resend|report`, `seaway approve ID`, `seaway reject ID`: decide interruptions and
change requests (`SEA-<n>`) from a terminal, and report on the change requests of a period."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from enum import StrEnum
from typing import Any

import typer

from seaway.cli.client import segment
from seaway.cli.context import client
from seaway.cli.output import ReportingGroup, out
from seaway.domain.audit_exports import parse_bound
from seaway.domain.ids import parse_id
from seaway.errors import InvalidInput

app = typer.Typer(help="Deployments waiting for a decision.", no_args_is_help=True, cls=ReportingGroup)

_CHANGE_REQUEST = re.compile(r"^SEA-\d+$", re.IGNORECASE)
# Decisions from here are recorded with the channel "cli" in the audit log.
_CLI_HEADERS = {"X-Seaway-Client": "cli"}
STATES = ("pending", "completed", "all")


def interruption_ref(text: str) -> str:
    """`Interruptions-3` or `3` → `Interruptions-3`."""
    ref = text.strip()
    try:
        return f"Interruptions-{parse_id('interruption', ref, field='ID')}"
    except InvalidInput:
        raise InvalidInput(
            f'"{ref}" is not an interruption id (expected Interruptions-<n> or <n>)', entity="interruption", id=ref
        ) from None


def _line(item: dict[str, Any]) -> str:
    where = f"{item['project']} {item['release']} to {item['environment']}"
    text = f'{item["id"]}  {item["state"]:<8}  {where}  step "{item["step"]}"'
    if item.get("decided_by"):
        verb = {"Approved": "approved", "Rejected": "rejected"}.get(item.get("outcome") or "", "decided")
        text += f"  {verb} by {item['decided_by']['display_name']}"
        if item.get("notes"):
            text += f": {item['notes']}"
    elif item["state"] == "canceled":
        text += "  (canceled)"
    elif item.get("can_decide"):
        text += "  (you may decide)"
    return text


def _change_request_line(item: dict[str, Any]) -> str:
    where = f"{item['project']} {item['release']} to {item['environment']}"
    text = f"{item['id']}  {item['state']:<8}  {where}  change request"
    if item.get("blocked"):
        text += f"  ({item['blocked']})"
    elif item.get("reason"):
        text += f": {item['reason']}"
    if item.get("can_decide"):
        text += "  (you may decide)"
    return text


@app.command("list")
def list_approvals(
    mine: bool = typer.Option(False, "--mine", help="Only the ones I may decide."),
    state: str = typer.Option("pending", "--state", help="pending, completed or all."),
) -> None:
    """Interruptions waiting for a decision (or decided, with --state)."""
    if state not in STATES:
        raise InvalidInput(f'--state must be pending, completed or all, not "{state}"', field="--state")
    params = {"state": state, "mine": "true" if mine else "false"}
    with client() as api:
        requests = api.get("/change-requests", params=params)
        items = api.get("/interruptions", params=params)
    if not items and not requests:
        out.print(f"No {'' if state == 'all' else state + ' '}approvals{' for you' if mine else ''}", markup=False)
    for request in requests:
        out.print(_change_request_line(request), markup=False)
    for item in items:
        out.print(_line(item), markup=False)


@app.command("resend")
def resend_links(
    interruption: str = typer.Argument(..., metavar="ID", help="Interruptions-<n> (or <n>)."),
    to: list[str] = typer.Option([], "--to", help="Only this username (repeatable); default: everyone responsible."),
) -> None:
    """Email new Approve and Reject links; the ones sent before to those people stop working."""
    target = interruption_ref(interruption)
    with client() as api:
        sent = api.post(f"/interruptions/{segment(target)}/links", json={"users": to}, headers=_CLI_HEADERS)
    names = ", ".join(sent["sent_to"])
    out.print(f"{sent['id']}: new links emailed to {names}; they expire at {sent['expires_at']}", markup=False)


class ReportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


# The report's audited events, as the API lists them, each a column of the CSV.
REPORTED_EVENTS = (
    "window_waits",
    "window_closed",
    "freezes",
    "freeze_overrides",
    "timeouts",
    "escalations",
    "reminders",
    "voided",
)
# The columns copied from the API's fields as they are.
_PLAIN_COLUMNS = (
    "id",
    "project",
    "release",
    "environment",
    "deployment_id",
    "requested_by",
    "created_at",
    "decided_at",
    "state",
    "reason",
    "seconds_to_decision",
    "needed",
    "approvals",
)
REPORT_COLUMNS = (
    *_PLAIN_COLUMNS,
    "policies",
    "approver_teams",
    "approver_users",
    "approved_by",
    "rejected_by",
    "decisions",
    *REPORTED_EVENTS,
)


def _decision_text(decision: dict[str, Any]) -> str:
    verb = "approved" if decision["result"] == "proceed" else "rejected"
    text = f"{decision['username']} {verb} at {decision['decided_at']} via {decision['channel']}"
    return f"{text}: {decision['notes']}" if decision["notes"] else text


def _event_text(event: dict[str, Any]) -> str:
    details = " ".join(f"{key}={value}" for key, value in event["details"].items())
    return f"{event['time']} {details}".strip()


def report_row(item: dict[str, Any]) -> dict[str, str]:
    """One change request as one CSV row: lists joined with "; ", nothing nested."""
    decisions = item["decisions"]
    row = {key: "" if item.get(key) is None else str(item[key]) for key in _PLAIN_COLUMNS}
    row.update(
        policies="; ".join(item["policy"]["policies"]),
        approver_teams="; ".join(item["approver_teams"]),
        approver_users="; ".join(item["approver_users"]),
        approved_by="; ".join(d["username"] for d in decisions if d["result"] == "proceed"),
        rejected_by="; ".join(d["username"] for d in decisions if d["result"] != "proceed"),
        decisions="; ".join(_decision_text(d) for d in decisions),
    )
    row.update({key: "; ".join(_event_text(e) for e in item.get(key) or ()) for key in REPORTED_EVENTS})
    return row


def report_csv(items: list[dict[str, Any]]) -> str:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_row(item) for item in items)
    return text.getvalue()


@app.command("report")
def report(
    since: str = typer.Option(..., "--from", help="Created at or after (UTC unless it names a zone): 2026-03-01."),
    until: str | None = typer.Option(None, "--to", help="Created before; unset: up to now."),
    as_format: ReportFormat = typer.Option(ReportFormat.CSV, "--format", help="csv (one row a request) or json."),
) -> None:
    """The change requests of a period for an audit: requester, approvers, decisions, time to decision,
    outcome, window waits, freezes and overrides, timeouts and escalations."""
    start = parse_bound(since, field="--from")
    end = parse_bound(until, field="--to") if until is not None else None
    if end is not None and end <= start:
        raise InvalidInput("the end of the period must come after its start", field="--to")
    params = {"from": start.isoformat(), **({"to": end.isoformat()} if end is not None else {})}
    with client() as api:
        items: list[dict[str, Any]] = api.get("/change-requests", params=params)
    if as_format is ReportFormat.JSON:
        sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(report_csv(items))


def _decide_change_request(ref: str, result: str, notes: str) -> dict[str, Any]:
    verb, key = ("approve", "note") if result == "proceed" else ("reject", "reason")
    with client() as api:
        decided: dict[str, Any] = api.post(
            f"/change-requests/{segment(ref.upper())}/{verb}", json={key: notes}, headers=_CLI_HEADERS
        )
    return decided


def _decide(ref: str, result: str, notes: str) -> dict[str, Any]:
    if _CHANGE_REQUEST.match(ref.strip()):
        return _decide_change_request(ref.strip(), result, notes)
    target = interruption_ref(ref)
    with client() as api:
        decided: dict[str, Any] = api.post(
            f"/interruptions/{segment(target)}/submit",
            json={"result": result, "notes": notes},
            headers=_CLI_HEADERS,
        )
    return decided


def register(app: typer.Typer) -> None:
    @app.command("approve")
    def approve(
        interruption: str = typer.Argument(..., metavar="ID", help="Interruptions-<n> (or <n>), or SEA-<n>."),
        note: str = typer.Option("", "--note", help="A note for the deployer and the audit log."),
    ) -> None:
        """Approve: the deployment continues with its next step."""
        decided = _decide(interruption, "proceed", note)
        if "blocked" not in decided:
            out.print(f"{decided['id']} approved; the deployment continues", markup=False)
        elif decided["state"] == "approved":
            out.print(f"{decided['id']} approved; the deployment starts", markup=False)
        else:
            out.print(f"{decided['id']}: your approval is recorded; still {decided['blocked']}", markup=False)

    @app.command("reject")
    def reject(
        interruption: str = typer.Argument(..., metavar="ID", help="Interruptions-<n> (or <n>), or SEA-<n>."),
        reason: str = typer.Option(..., "--reason", help="Why; the deployer is told."),
    ) -> None:
        """Reject: the deployment stops (only steps that always run or run on failure still run)."""
        if not reason.strip():
            raise InvalidInput("--reason must say why the deployment is rejected", field="--reason")
        decided = _decide(interruption, "abort", reason)
        out.print(f"{decided['id']} rejected; the deployment stops", markup=False)
