"""A server killed (SIGKILL) at each named fault point and started again loses nothing and repeats nothing.

Steps are at-least-once: the step that was running when the node died may run again, but every step
succeeds once in the step runs, the steps after the crash point run once, an acknowledged decision is kept,
and no recipient gets the same email twice.
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass, field

import httpx
import pytest
from tests.fixtures.crash import (
    KILLED,
    OPS_EMAIL,
    Node,
    audit_actions,
    deploy,
    duplicates,
    email_recorded_as_sent,
    finished,
    prepare,
    runs_of,
    server_env,
    space,
    with_fault,
)

from seaway.engine import faults
from seaway.engine.faults import FaultPoints
from seaway.errors import InvalidInput

RESUMED = "Resuming the deployment after its previous worker stopped"


@dataclass(frozen=True)
class Case:
    fault: str
    runs: dict[str, int]  # how often each step's script ran, counting the run the crash interrupted
    attempts: dict[str, int] = field(default_factory=dict)  # step runs' attempts other than 1
    resumed: bool = True  # the task was executing when the node died
    slow: bool = False
    # Hold the last step until the email is recorded as sent: delivery is at least once (engine/mail.py), so a
    # node dying between the SMTP server's acceptance and that record sends it again, whatever the point.
    gate: bool = False


CASES = {
    # Claimed, then died before the task started: it starts afresh on the next node.
    "after-claim": Case("after-claim", {"One": 1, "Two": 1, "Three": 1}, resumed=False),
    # The third group (the email step) ran; its result was lost: it runs again and its email is not queued twice.
    "after-step-side-effect": Case("after-step-side-effect:3", {"One": 1, "Two": 1, "Three": 1}, {"Tell": 2}),
    # The transaction that ends the task (and holds the last step's result) was lost: the last step runs again.
    "before-complete": Case("before-complete", {"One": 1, "Two": 1, "Three": 2}, {"Three": 2}, gate=True),
    # Died while a live log flush was written (inside its transaction): the step runs again, no line twice.
    "mid-log-flush": Case("mid-log-flush", {"One": 1, "Two": 2, "Three": 1}, {"Two": 2}, slow=True),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_a_node_killed_at_a_fault_point_loses_and_repeats_nothing(name, db_url, tmp_path, smtp_server):
    case = CASES[name]
    runs, data = tmp_path / "runs", tmp_path / "data"
    runs.mkdir()
    if case.slow:
        (runs / "slow").touch()
    if case.gate:
        (runs / "gate").touch()
    api_key = await prepare(db_url, data, space(runs))
    env = server_env(db_url, data, smtp_server.port)
    node = Node(with_fault(env, case.fault))
    node.start()
    try:
        with node.client(api_key) as api:
            deployed = deploy(api, "Counted")
            if case.gate:
                await smtp_server.wait_for(1)
                await email_recorded_as_sent(api)
                (runs / "go").touch()
        assert await node.died() == KILLED

        node.restart(env)
        with node.client(api_key) as api:
            task, messages = finished(api, deployed)
            outbox = api.get("/outbox").json()
        [email] = outbox
        received = await smtp_server.wait_for(1)
    finally:
        node.stop()

    assert task["state"] == "success", task
    assert [s["state"] for s in task["steps"]] == ["succeeded"] * 4
    assert {s["name"]: s["attempts"] for s in task["steps"]} == {"One": 1, "Two": 1, "Tell": 1, "Three": 1} | (
        case.attempts
    )
    assert runs_of(runs, "One", "Two", "Three") == case.runs
    assert messages.count(RESUMED) == (1 if case.resumed else 0)
    # Each script's output is in the log once: lines of a lost flush are gone with the run that printed them.
    for step in ("One", "Two", "Three"):
        assert messages.count(f"step {step}") == 1, messages
    assert messages.count("The deployment succeeded") == 1
    assert email["to"] == [OPS_EMAIL] and email["state"] == "sent"
    assert [(str(m["To"]), str(m["Subject"])) for m in received] == [(OPS_EMAIL, email["subject"])]


async def test_a_decision_lost_with_its_answer_is_all_there_or_not_at_all(db_url, tmp_path, smtp_server):
    """Died after the decision committed, before the API answered: the client cannot know; the decision is
    there in full (deployment resumed, links voided, one audit event), and retrying it is answered clearly."""
    runs, data = tmp_path / "runs", tmp_path / "data"
    runs.mkdir()
    api_key = await prepare(db_url, data, space(runs))
    env = server_env(db_url, data, smtp_server.port)
    node = Node(with_fault(env, "after-decision-commit"))
    node.start()
    try:
        with node.client(api_key) as api:
            deployed = deploy(api, "Gated")
            await smtp_server.wait_for(1)  # the approval request: the interruption exists
            # Delivery is at least once (engine/mail.py): a kill between the SMTP server's answer and the commit
            # that records it sends the request again. Decide once it is recorded, so that the kill at the
            # decision is the only one in the test.
            await email_recorded_as_sent(api)
            [pending] = api.get("/interruptions").json()
            with pytest.raises(httpx.TransportError):
                api.post(f"/interruptions/{pending['id']}/submit", json={"result": "proceed", "notes": "ok"})
        assert await node.died() == KILLED

        node.restart(env)
        with node.client(api_key) as api:
            decided = api.get(f"/interruptions/{pending['id']}").json()
            retried = api.post(f"/interruptions/{pending['id']}/submit", json={"result": "proceed", "notes": "ok"})
            task, messages = finished(api, deployed)
            outbox = api.get("/outbox").json()
        received = await smtp_server.wait_for(len(outbox))
    finally:
        node.stop()

    if decided["state"] == "pending":  # the decision never committed: the retry makes it
        assert retried.status_code == 200, retried.text
    else:  # it committed in full; the retry is told so and changes nothing
        assert (decided["result"], decided["notes"], decided["decided_by"]["username"]) == ("proceed", "ok", "ops")
        assert retried.status_code == 409 and "already decided" in retried.text, retried.text
    assert task["state"] == "success", task
    assert [s["state"] for s in task["steps"]] == ["succeeded"] * 3
    assert runs_of(runs, "First", "After") == {"First": 1, "After": 1}
    assert messages.count("step After") == 1
    assert await audit_actions(db_url, data, "interruption.submitted") == 1
    assert all(e["state"] == "sent" for e in outbox), outbox
    assert len(received) == len(outbox) and not duplicates(received)


def test_a_fault_is_ignored_unless_faults_are_enabled_and_kills_at_its_nth_passage(monkeypatch):
    killed: list[tuple[int, int]] = []
    monkeypatch.setattr(faults.os, "kill", lambda pid, sig: killed.append((pid, sig)))

    FaultPoints.parse("after-claim", enabled=False).reached("after-claim")
    assert killed == []

    armed = FaultPoints.parse("after-claim:2", enabled=True)
    armed.reached("before-complete")
    armed.reached("after-claim")
    assert killed == []
    armed.reached("after-claim")
    assert killed == [(os.getpid(), signal.SIGKILL)]

    with pytest.raises(InvalidInput) as unknown:
        FaultPoints.parse("after-lunch", enabled=True)
    assert unknown.value.field == "SEAWAY_FAULT"
