"""What the approval-link pages show about an interruption, read in the caller's unit of work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup

from seaway.domain.ids import format_id
from seaway.domain.interruptions import InterruptionState, Outcome
from seaway.domain.safe_markdown import safe_html
from seaway.domain.states import TERMINAL_TASK_STATES, TaskState
from seaway.steps.manual_intervention import release_changes
from seaway.store.unit_of_work import UnitOfWork


def instructions_html(markdown: str) -> Markup:
    """Safe HTML for Markdown instructions: raw HTML is escaped and images are not loaded."""
    return Markup(safe_html(markdown))  # noqa: S704 - rendered with raw HTML escaped


@dataclass(frozen=True)
class DecisionPage:
    id: str  # the interruption's public id
    state: InterruptionState
    project: str
    release: str
    environment: str
    step: str
    instructions_html: Markup
    deployer: str | None  # None: Seaway started the deployment itself
    changes: tuple[str, ...]  # what the release changes in the environment
    links_require_sign_in: bool
    deployment_id: str
    task_state: TaskState
    cancel_requested: bool
    outcome: Outcome | None
    decided_by: str | None
    decided_at: datetime | None
    notes: str

    @property
    def deployment_over(self) -> bool:
        """The interruption was canceled, or its deployment was asked to cancel or has ended."""
        return (
            self.state is InterruptionState.CANCELED or self.cancel_requested or self.task_state in TERMINAL_TASK_STATES
        )


async def read_decision_page(uow: UnitOfWork, interruption_id: int) -> DecisionPage:
    interruption = await uow.interruptions.get(interruption_id)
    deployment = await uow.deployments.get(interruption.deployment_id)
    release = await uow.releases.get(interruption.release_id)
    task = await uow.tasks.get(interruption.task_id)
    deployer = await uow.users.get(deployment.created_by) if deployment.created_by is not None else None
    decider = await uow.users.get(interruption.decided_by) if interruption.decided_by is not None else None
    return DecisionPage(
        id=format_id("interruption", interruption.id),
        state=interruption.state,
        project=interruption.project_name,
        release=interruption.release_version,
        environment=interruption.environment,
        step=interruption.step_name,
        instructions_html=instructions_html(interruption.instructions),
        deployer=deployer.label if deployer else None,
        changes=tuple(await release_changes(uow, deployment, release)),
        links_require_sign_in=interruption.links_require_sign_in,
        deployment_id=format_id("deployment", interruption.deployment_id),
        task_state=task.state,
        cancel_requested=task.cancel_requested,
        outcome=interruption.outcome,
        decided_by=decider.label if decider else None,
        decided_at=interruption.decided_at,
        notes=interruption.notes,
    )
