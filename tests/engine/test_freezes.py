"""Freezes on both databases: nothing in scope starts inside one, gated or not; it starts when the freeze ends;
a person with `freeze.override` lets one deployment through with a reason, audited and emailed."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from tests.engine.test_change_requests import POLICY, PROJECT, _decide
from tests.fixtures.approvals import PEOPLE, run_all, services_with, user_named
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import add_user, apply_yaml, deploy, log_of, release_of, task_of

from seaway.config.documents import load_text, parse_document
from seaway.config.export import SpaceContents, space_document
from seaway.domain.actors import Actor, AuthMethod
from seaway.domain.interruptions import Channel
from seaway.domain.states import TaskState
from seaway.engine.configuration import apply_document
from seaway.engine.deployments import request_cancel
from seaway.engine.freeze_overrides import override_freeze
from seaway.engine.policies import preview
from seaway.errors import Conflict, InvalidInput, PermissionDenied

START = datetime(2026, 12, 21, 10, 0, tzinfo=UTC)
END = datetime(2027, 1, 3, 0, 0, tzinfo=UTC)
FREEZES = """
freezes:
  - name: Year end
    description: Nothing ships over the holidays
    scope: {environments: [Dev, Test]}
    start: "2026-12-20T00:00:00Z"
    end: "2027-01-03T00:00:00Z"
"""
PLAIN_PROJECT = """\
  - name: Plain
    lifecycle: Dev, Test, and Prod
    process:
      - {name: Hello, type: script, script: "echo plain"}
"""


def space(policies: str = "") -> str:
    return PEOPLE + PROJECT + FREEZES + (f"approval_policies:{policies}" if policies else "")


async def _frozen(services, environment: str = "Dev", policies: str = ""):
    await apply_yaml(services, space(policies))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, environment, user=await user_named(services, "dave"))
    await run_all(services)
    return deployment


async def _override(services, deployment, username: str, reason: str = "the outage fix"):
    actor = Actor(await user_named(services, username), Channel.API, AuthMethod.API_KEY)
    async with services.store.transaction() as uow:
        return await override_freeze(
            uow, deployment.id, actor, reason=reason, now=services.clock.now(), public_url="http://seaway.test"
        )


async def test_an_ungated_deployment_in_a_freeze_waits_as_a_row_and_starts_when_it_ends(db_url, tmp_path):
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services)
        task, runs = await task_of(services, deployment)
        assert task.state is TaskState.QUEUED and runs == []
        assert "The deployment is frozen by Year end until 2027-01-03 00:00 UTC" in await log_of(services, deployment)
        async with services.store.transaction() as uow:
            assert await uow.queue.next_run_after() == END
            [event] = await uow.audit.list(action="deployment.frozen")
        assert event.entity_id == f"Deployments-{deployment.id}"
        assert event.details == {"freeze": "Year end", "until": END.isoformat()}

        clock.advance(days=12, hours=14)  # the freeze's end
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS


async def test_a_freeze_holds_nothing_before_it_starts_or_once_it_has_ended(db_url, tmp_path):
    clock = FakeClock(datetime(2026, 12, 19, 23, 59, tzinfo=UTC))
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
        clock.advance(days=14, minutes=1)  # 2027-01-03 00:00, the end itself
        release = await release_of(services, "Quotes")
        after = await deploy(services, release, "Dev", user=await user_named(services, "dave"))
        await run_all(services)
        assert (await task_of(services, after))[0].state is TaskState.SUCCESS


async def test_an_approved_deployment_still_waits_for_the_freeze(db_url, tmp_path):
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services, "Test", POLICY)
        async with services.store.transaction() as uow:
            request = await uow.change_requests.find_for_deployment(deployment.id)
        assert request is not None and request.id is not None
        await _decide(services, request.id, "alice")
        await _decide(services, request.id, "carol")
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.QUEUED
        assert "frozen by Year end" in await log_of(services, deployment)


async def test_an_override_needs_the_permission_and_a_reason_then_starts_and_tells_the_approvers(db_url, tmp_path):
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services, "Test", POLICY)
        await add_user(services, "olga", display_name="Olga Operator", email="olga@example.org", is_admin=True)
        with pytest.raises(PermissionDenied, match=r"freeze\.override"):
            await _override(services, deployment, "dave")
        with pytest.raises(InvalidInput, match="reason is required") as refused:
            await _override(services, deployment, "olga", "  ")
        assert refused.value.field == "reason"

        override = await _override(services, deployment, "olga")
        assert override.freezes == ("Year end",) and override.reason == "the outage fix"
        async with services.store.transaction() as uow:
            request = await uow.change_requests.find_for_deployment(deployment.id)
            [event] = await uow.audit.list(action="deployment.freeze_override")
            told = sorted(a for e in await uow.emails.list() if "Freeze overridden" in e.subject for a in e.to)
        assert request is not None and request.id is not None
        assert event.actor == "olga" and event.entity_id == f"Deployments-{deployment.id}"
        assert event.details == {
            "freeze": "Year end",
            "reason": "the outage fix",
            "change_request": f"SEA-{request.id}",
        }
        assert told == ["alice@example.org", "bob@example.org", "carol@example.org", "erin@example.org"]

        await _decide(services, request.id, "alice")
        await _decide(services, request.id, "carol")
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
        with pytest.raises(Conflict, match="already started or ended"):
            await _override(services, deployment, "olga")


async def test_an_override_of_an_ungated_deployment_tells_its_deployer_and_starts_it(db_url, tmp_path):
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services)
        await add_user(services, "olga", is_admin=True)
        await _override(services, deployment, "olga")
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.SUCCESS
        async with services.store.transaction() as uow:
            [email] = [e for e in await uow.emails.list() if "Freeze overridden" in e.subject]
        assert email.to == ("dave@example.org",) and "the outage fix" in email.text


async def test_no_override_without_a_freeze(db_url, tmp_path):
    clock = FakeClock(datetime(2026, 12, 1, tzinfo=UTC))
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services, "Test", POLICY)
        await add_user(services, "olga", is_admin=True)
        with pytest.raises(Conflict, match="no freeze holds"):
            await _override(services, deployment, "olga")


async def test_freezes_apply_idempotently_export_and_preview(db_url, tmp_path):
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        await apply_yaml(services, space())
        async with services.store.transaction() as uow:
            again = await apply_document(uow, parse_document(load_text(space())), actor=None, now=clock.now())
            stored = await uow.freezes.list()
            seen = await preview(uow, "Quotes", "Dev", "dave", clock.now())
        assert "freeze Year end" in again.unchanged
        assert not any("freezes" in w for w in again.warnings)
        exported = space_document(SpaceContents(freezes=stored))
        assert exported["freezes"] == [
            {
                "name": "Year end",
                "description": "Nothing ships over the holidays",
                "scope": {"environments": ["Dev", "Test"]},
                "start": "2026-12-20T00:00:00+00:00",
                "end": "2027-01-03T00:00:00+00:00",
            }
        ]
        assert parse_document(exported).freezes[0][0] == replace(stored[0], id=None)
        assert seen.freeze == {
            "name": "Year end",
            "until": END.isoformat(),
            "message": "frozen by Year end until 2027-01-03 00:00 UTC",
        }


async def test_a_freeze_naming_an_unknown_environment_is_refused_naming_the_field(db_url, tmp_path):
    async with services_with(db_url, tmp_path / "data") as services:
        with pytest.raises(InvalidInput) as refused:
            await apply_yaml(services, space().replace("[Dev, Test]", "[Dev, Staging]"))
        assert refused.value.field == "freezes[0].scope.environments[1]"


async def test_a_frozen_deployment_canceled_is_held_by_nothing_and_its_wake_does_nothing(db_url, tmp_path):
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment = await _frozen(services)
        assert deployment.task_id is not None
        async with services.store.transaction() as uow:
            await request_cancel(uow, deployment.task_id, now=clock.now())
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.CANCELED
        async with services.store.transaction() as uow:
            assert (await uow.freezes.hold_of(deployment.task_id)).message == ""
        clock.advance(days=13)  # past the freeze's end: its wake finds nothing to start
        await run_all(services)
        async with services.store.transaction() as uow:
            assert await uow.queue.next_run_after() is None
        assert (await task_of(services, deployment))[0].state is TaskState.CANCELED


async def test_a_freeze_scoped_by_tags_holds_what_carries_one_and_exports_them(db_url, tmp_path):
    """Tags in a freeze's scope match as a policy's do: the project or the environment carries one of them."""
    projects = PROJECT.replace("  - name: Quotes\n", "  - name: Quotes\n    tags: [pci]\n") + PLAIN_PROJECT
    tagged = space().replace(PROJECT, projects).replace("scope: {environments: [Dev, Test]}", "scope: {tags: [PCI]}")
    clock = FakeClock(START)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        await apply_yaml(services, tagged)
        dave = await user_named(services, "dave")
        held = await deploy(services, await release_of(services, "Quotes"), "Dev", user=dave)
        free = await deploy(services, await release_of(services, "Plain"), "Dev", user=dave)
        await run_all(services)
        assert (await task_of(services, held))[0].state is TaskState.QUEUED
        assert "frozen by Year end" in await log_of(services, held)
        assert (await task_of(services, free))[0].state is TaskState.SUCCESS

        async with services.store.reading() as uow:
            stored = await uow.freezes.list()
        exported = space_document(SpaceContents(freezes=stored))
        assert exported["freezes"][0]["scope"] == {"tags": ["PCI"]}
        assert parse_document(exported).freezes[0][0] == replace(stored[0], id=None)
