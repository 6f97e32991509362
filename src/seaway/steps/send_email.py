"""The send-email step: one email to addresses and team members, with the full template syntax.

The step queues the email (durable, delivered by the worker) and succeeds: a mail server that is down
delays the email, it never fails the deployment. The email's key is the task and step, so a step re-run
after a crash does not send it twice.
"""

from __future__ import annotations

from collections.abc import Sequence

from seaway.errors import InvalidInput
from seaway.notify.base import unique_addresses
from seaway.notify.messages import step_email
from seaway.steps.base import Failed, QueueEmail, StepContext, StepExecutor, StepOutcome, Succeeded
from seaway.store.unit_of_work import Store, UnitOfWork


def email_key(task_id: int, step_index: int) -> str:
    return f"step-email:{task_id}:{step_index}"


def _listed(value: object) -> list[str]:
    """`to` may be a list or one string of addresses separated by `,` or `;`."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(";", ",").split(",") if part.strip()]
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


async def _team_addresses(uow: UnitOfWork, names: Sequence[str], warnings: list[str]) -> list[str]:
    members: set[str] = set()
    for name in names:
        team = await uow.teams.find_by_name(name)
        if team is None:
            warnings.append(f'There is no team "{name}"')
            continue
        members.update(member.lower() for member in team.members)
    if not members:
        return []
    return [u.email for u in await uow.users.list() if u.username.lower() in members and u.active and u.email]


def make_send_email_step(store: Store, queue_email: QueueEmail) -> StepExecutor:
    async def run_send_email(ctx: StepContext) -> StepOutcome:
        rendered_to = [address for item in _listed(ctx.step.prop("to")) for address in _listed(ctx.render(item))]
        teams = [ctx.render(name) for name in _listed(ctx.step.prop("to_teams"))]
        # Sensitive values never leave in an email, as they never reach the log.
        subject = ctx.mask(ctx.render(str(ctx.step.prop("subject") or ""), "subject"))
        body = ctx.mask(ctx.render(str(ctx.step.prop("body") or ""), "body"))
        warnings: list[str] = []
        async with store.transaction() as uow:
            recipients = unique_addresses([*rendered_to, *await _team_addresses(uow, teams, warnings)])
            recipients = tuple(address for address in recipients if address)
            if recipients:
                try:
                    email = step_email(recipients, subject, body, ctx.step.flag("is_html"))
                except InvalidInput as exc:
                    return Failed(f"the email cannot be sent: {exc}")
                queued = await queue_email(uow, email, email_key(ctx.task_id, ctx.step_index), now=ctx.now())
        for warning in warnings:
            await ctx.log.write(warning, "warning")
        if not recipients:
            await ctx.log.write("The email has no recipients; nothing was sent", "warning")
            return Succeeded()
        if queued is None:
            await ctx.log.write("The email was queued by an earlier run of this step; it is not sent again")
        else:
            await ctx.log.write(f'Queued the email "{email.subject}" to {", ".join(email.to)}')
        return Succeeded()

    return run_send_email
