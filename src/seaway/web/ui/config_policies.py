"""`/configuration/policies`: every approval policy and every freeze, in words (`policy.view`), each linked to
its own page; for those with `policy.edit` a policy is edited there as YAML (`config_yaml_items`), saved
through `engine/policy_edits.py` as `/api/v1/policies` saves it, after which the pending change
requests it changes are put to their approvers again (`rebind_pending`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from seaway.config.export import approval_policy_document
from seaway.config.policy_documents import parse_policy
from seaway.domain.change_windows import describe_all, local_text
from seaway.domain.freezes import Freeze, in_force
from seaway.domain.ids import format_id
from seaway.domain.machine_policies import format_interval
from seaway.domain.permissions import Permission
from seaway.domain.policies import ApprovalPolicy
from seaway.engine.policies import find_policy
from seaway.engine.policy_edits import add_policy, change_policy, remove_policy
from seaway.errors import PermissionDenied
from seaway.web.access import may, require
from seaway.web.api.policies import policy_json
from seaway.web.sessions import SignedIn
from seaway.web.ui.config_freezes import FREEZES
from seaway.web.ui.config_yaml_items import LIST, ConfigItem, Editable, Saves, install, url_of
from seaway.web.ui.configuration import show
from seaway.web.ui.pages import error_page, render, ui_of

router = APIRouter(include_in_schema=False)

EXAMPLE = """\
name: Production change control
description: Two people sign off on Prod
scope:
  environments: [Prod]
approvers:
  teams: [Release Managers]
minimum: 2
"""


@dataclass(frozen=True)
class PolicyRow:
    url: str
    id: str
    name: str
    description: str
    facts: tuple[tuple[str, str], ...]  # (what, in words)


@dataclass(frozen=True)
class FreezeRow:
    url: str
    id: str
    name: str
    description: str
    scope: str
    period: str
    in_force: bool


def scope_text(projects: tuple[str, ...], environments: tuple[str, ...], tags: tuple[str, ...] = ()) -> str:
    where = [f"projects {', '.join(projects)}" if projects else "every project"]
    where.append(f"environments {', '.join(environments)}" if environments else "every environment")
    if tags:
        where.append(f"tagged {', '.join(tags)} (the project or the environment)")
    return "; ".join(where)


def _approvers_text(policy: ApprovalPolicy) -> str:
    named = [f"team {t}" for t in policy.teams] + [f"user {u}" for u in policy.users]
    return ", ".join(named) or "only those the quorum names"


def _timeout_text(policy: ApprovalPolicy) -> str:
    timeout = policy.timeout
    if timeout is None:
        return "none: it waits until decided"
    text = f"after {format_interval(timeout.after)}: {timeout.action.value}"
    return f"{text} to {', '.join(timeout.escalate_to)}" if timeout.escalate_to else text


def _policy_row(policy: ApprovalPolicy) -> PolicyRow:
    facts = (
        ("Scope", scope_text(policy.projects, policy.environments, policy.tags)),
        ("Approvers", _approvers_text(policy)),
        ("Minimum approvals", str(policy.minimum)),
        (
            "The deployer's own approval",
            "does not count" if policy.block_deployment_creator else "counts",
        ),
        ("Quorum", "; ".join(f"{c.minimum} of {c.team}" for c in policy.quorum) or "none"),
        ("Change windows", describe_all(policy.change_windows) or "any time"),
        ("Timeout", _timeout_text(policy)),
        ("Reminders", f"every {format_interval(policy.remind_every)}" if policy.remind_every else "none"),
    )
    return PolicyRow(url_of(POLICIES, policy), format_id("policy", policy.id), policy.name, policy.description, facts)


def _freeze_row(freeze: Freeze, now: datetime) -> FreezeRow:
    return FreezeRow(
        url_of(FREEZES, freeze),
        format_id("freeze", freeze.id),
        freeze.name,
        freeze.description,
        scope_text(freeze.projects, freeze.environments, freeze.tags),
        f"{local_text(freeze.start, 'UTC')} – {local_text(freeze.end, 'UTC')}",
        in_force(freeze, now),
    )


@router.get(LIST)
async def policies_page(request: Request) -> Response:
    return await show(request, _page)


async def _page(request: Request, signed_in: SignedIn, status: int, error: str | None) -> Response:
    try:
        require(signed_in.user, Permission.POLICY_VIEW)
    except PermissionDenied as exc:
        return error_page(exc)
    services = ui_of(request).services
    async with services.store.reading() as uow:
        policies = await uow.policies.list()
        freezes = await uow.freezes.list()
    now = services.clock.now()
    return render(
        "config_policies.html",
        status=status,
        signed_in=signed_in,
        policies=[_policy_row(p) for p in policies],
        freezes=[_freeze_row(f, now) for f in freezes],
        can_edit=may(signed_in.user, Permission.POLICY_EDIT),
        error=error,
    )


POLICIES: Editable[ApprovalPolicy] = Editable(
    kind="policy",
    noun="approval policy",
    path=LIST,
    example=EXAMPLE,
    config=ConfigItem(section="approval_policies", parse=parse_policy, document=approval_policy_document),
    saves=Saves(represent=policy_json, find=find_policy, create=add_policy, update=change_policy, delete=remove_policy),
)

install(router, POLICIES)
