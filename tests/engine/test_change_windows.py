"""Change windows on both databases, with a clock the test moves: an approved deployment outside its window
waits as a row with nothing due before the opening and starts when it opens; one the slot still holds when
the window closes is refused naming the window; one whose window never opens again is refused at once."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.engine.test_change_requests import PROJECT, _decide
from tests.fixtures.approvals import PEOPLE, interruption_of, run_all, services_with, user_named
from tests.fixtures.approvals import decide as decide_step
from tests.fixtures.clock import FakeClock
from tests.fixtures.engine import apply_yaml, deploy, log_of, release_of, task_of

from seaway.config.documents import parse_document
from seaway.config.export import SpaceContents, space_document
from seaway.domain.change_requests import ChangeRequestState
from seaway.domain.states import StepState, TaskState
from seaway.engine.configuration import apply_document
from seaway.engine.policies import preview

SATURDAY = datetime(2026, 3, 7, 10, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)  # 09:00 GMT
MONDAY_CLOSE = datetime(2026, 3, 9, 17, 0, tzinfo=UTC)
WEEKLY_ZONE = "Europe/London"
WINDOW = "Production change control (Mon–Fri 09:00–17:00 Europe/London)"


def gated(windows: str = '{days: [Mon, Tue, Wed, Thu, Fri], start: "09:00", end: "17:00", timezone: Europe/London}'):
    return f"""
  - name: Production change control
    scope: {{environments: [Test]}}
    approvers: {{teams: [Project Stakeholders], users: [carol]}}
    minimum: 2
    change_windows:
      - {windows}
"""


async def _queued(services, policies: str | None = None, project: str = PROJECT):
    await apply_yaml(services, PEOPLE + project + "approval_policies:" + (policies or gated()))
    release = await release_of(services, "Quotes")
    deployment = await deploy(services, release, "Test", user=await user_named(services, "dave"))
    await run_all(services)
    async with services.store.transaction() as uow:
        request = await uow.change_requests.find_for_deployment(deployment.id)
    assert request is not None and request.id is not None
    return deployment, request


async def _approve(services, number: int) -> None:
    await _decide(services, number, "alice")
    await _decide(services, number, "carol")
    await run_all(services)


async def test_approved_outside_its_window_it_waits_with_nothing_due_before_the_opening_then_starts(db_url, tmp_path):
    clock = FakeClock(SATURDAY)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment, request = await _queued(services)
        await _approve(services, request.id)  # approvals ahead of the window count
        task, runs = await task_of(services, deployment)
        assert task.state is TaskState.QUEUED and runs == []
        async with services.store.transaction() as uow:
            assert (await uow.change_requests.get(request.id)).state is ChangeRequestState.APPROVED
            assert await uow.queue.next_run_after() == MONDAY_OPENING  # a row and one item due at the opening
            held = await uow.freezes.hold_of(task.id)
            [event] = await uow.audit.list(action="change_request.window_wait")
        message = f"waiting for the change window of {WINDOW}, opens 2026-03-09 09:00 GMT"
        assert held.message == message
        assert f"The deployment is {message}" in await log_of(services, deployment)
        assert event.entity_id == f"SEA-{request.id}"
        assert event.details == {"window": WINDOW, "opens_at": MONDAY_OPENING.isoformat()}

        await run_all(services)  # woken again early, it says nothing new
        assert (await log_of(services, deployment)).count("The deployment is waiting") == 1

        clock.advance(days=1, hours=22, minutes=59)  # a minute before the opening
        await run_all(services)
        assert (await task_of(services, deployment))[0].state is TaskState.QUEUED
        clock.advance(minutes=1)
        await run_all(services)
        task, runs = await task_of(services, deployment)
        assert task.state is TaskState.SUCCESS and runs[0].state is StepState.SUCCEEDED
        async with services.store.transaction() as uow:
            assert (await uow.freezes.hold_of(task.id)).message == ""


async def test_summer_time_moves_the_opening_in_utc_not_on_the_clock(db_url, tmp_path):
    clock = FakeClock(datetime(2026, 3, 28, 10, 0, tzinfo=UTC))  # Saturday; the clocks go forward Sunday
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment, request = await _queued(services)
        await _approve(services, request.id)
        assert "opens 2026-03-30 09:00 BST" in await log_of(services, deployment)
        async with services.store.transaction() as uow:
            assert await uow.queue.next_run_after() == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)


BLOCKING_PROJECT = """
projects:
  - name: Quotes
    lifecycle: Dev, Test, and Prod
    process:
      - name: Sign Off
        type: manual-intervention
        instructions: Check it
        responsible_teams: [Project Stakeholders]
        block_deployments: true
      - {name: Hello, type: script, script: "echo hello"}
"""


async def test_a_deployment_the_slot_holds_when_its_window_closes_is_refused_naming_the_window(db_url, tmp_path):
    clock = FakeClock(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))  # Monday, inside the window
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        first, first_request = await _queued(services, project=BLOCKING_PROJECT)
        await _approve(services, first_request.id)
        assert (await task_of(services, first))[0].state is TaskState.WAITING  # holds the slot
        release = await release_of(services, "Quotes")
        second = await deploy(services, release, "Test", user=await user_named(services, "dave"))
        await run_all(services)
        async with services.store.transaction() as uow:
            second_request = await uow.change_requests.find_for_deployment(second.id)
        assert second_request is not None and second_request.id is not None
        await _approve(services, second_request.id)
        assert (await task_of(services, second))[0].state is TaskState.QUEUED
        async with services.store.transaction() as uow:
            assert await uow.queue.next_run_after() == MONDAY_CLOSE  # the close is due, nothing sooner

        clock.advance(hours=2)
        await run_all(services)
        task, runs = await task_of(services, second)
        assert task.state is TaskState.FAILED and runs == []  # refused before any step
        assert task.error == (
            f"The change window of {WINDOW} closed at 2026-03-09 17:00 GMT before the deployment could start"
        )
        async with services.store.transaction() as uow:
            [closed] = await uow.audit.list(action="change_request.window_closed")
        assert closed.entity_id == f"SEA-{second_request.id}" and closed.details["window"] == WINDOW
        # The deployment that started inside the window is not checked again: it goes on when decided.
        assert (await task_of(services, first))[0].state is TaskState.WAITING
        await decide_step(services, await interruption_of(services, first), "alice")
        await run_all(services)
        assert (await task_of(services, first))[0].state is TaskState.SUCCESS


async def test_a_window_with_no_future_opening_refuses_the_deployment_at_once(db_url, tmp_path):
    clock = FakeClock(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))
    past = '{from: "2026-01-01T08:00:00Z", to: "2026-01-01T18:00:00Z"}'
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        deployment, request = await _queued(services, gated(past))
        await _approve(services, request.id)
        task, _ = await task_of(services, deployment)
        assert task.state is TaskState.FAILED
        assert task.error == (
            "The change window of Production change control (2026-01-01 08:00 UTC – 2026-01-01 18:00 UTC) "
            "has no future opening"
        )


async def test_the_preview_shows_whether_the_window_is_open_and_when_it_opens(db_url, tmp_path):
    clock = FakeClock(SATURDAY)
    async with services_with(db_url, tmp_path / "data", clock=clock) as services:
        await apply_yaml(services, PEOPLE + PROJECT + "approval_policies:" + gated())
        async with services.store.transaction() as uow:
            closed = await preview(uow, "Quotes", "Test", "dave", clock.now())
            opened = await preview(uow, "Quotes", "Test", "dave", MONDAY_OPENING)
        assert closed.change_window == {
            "open": False,
            "windows": [WINDOW],
            "opens_at": MONDAY_OPENING.isoformat(),
            "closes_at": None,
            "waiting_for": WINDOW,
        }
        assert opened.change_window is not None and opened.change_window["open"] is True
        assert opened.change_window["closes_at"] == MONDAY_CLOSE.isoformat()


async def test_a_policys_windows_export_and_apply_again_unchanged(db_url, tmp_path):
    both = (
        '{days: [Mon, Tue, Wed, Thu, Fri], start: "09:00", end: "17:00", timezone: Europe/London}\n'
        '      - {from: "2026-12-05T08:00:00Z", to: "2026-12-05T18:00:00Z"}'
    )
    async with services_with(db_url, tmp_path / "data") as services:
        await apply_yaml(services, PEOPLE + PROJECT + "approval_policies:" + gated(both))
        async with services.store.transaction() as uow:
            [policy] = await uow.policies.list()
            exported = space_document(SpaceContents(approval_policies=[policy]))
            result = await apply_document(uow, parse_document(exported), actor=None, now=services.clock.now())
        assert exported["approval_policies"][0]["change_windows"] == [
            {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "09:00", "end": "17:00", "timezone": WEEKLY_ZONE},
            {"from": "2026-12-05T08:00:00+00:00", "to": "2026-12-05T18:00:00+00:00"},
        ]
        assert result.unchanged == ["approval policy Production change control"]
        assert not any("change_windows" in w for w in result.warnings)
