"""The pages a link shows when it does not (or no longer) offer a decision, and the one after deciding.

Each says plainly which case it is — decided, already decided by X at T, expired, unknown, canceled,
superseded, content changed, withdrawn — and links to sign-in, where the approval can still be found.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.responses import HTMLResponse

from seaway.domain.interruptions import MAX_NOTES_LENGTH, InterruptionState, LinkStatus, Outcome
from seaway.web.sessions import SignedIn
from seaway.web.ui.decision_pages import DecisionPage
from seaway.web.ui.link_views import LinkView
from seaway.web.ui.pages import Ui, render

# Kind → (status of a GET, status of a POST that could not decide).
# "Already decided by X at T" answers a second click rather than reporting an error, so a GET gets 200;
# a POST that decided nothing is a conflict. The rest are gone for good (410), or never existed (404).
_STATUS: dict[str, tuple[int, int]] = {
    "decided": (200, 200),
    "already_decided": (200, 409),
    "unknown": (404, 404),
    "expired": (410, 410),
    "canceled": (410, 410),
    "superseded": (410, 410),
    "content_changed": (410, 410),
    "withdrawn": (410, 410),
}


@dataclass(frozen=True)
class Explanation:
    kind: str
    title: str
    message: str
    note: str | None = None


def result_page(ui: Ui, explanation: Explanation, *, view: LinkView | None, post: bool = False) -> HTMLResponse:
    get_status, post_status = _STATUS[explanation.kind]
    return render(
        "link_result.html",
        status=post_status if post else get_status,
        kind=explanation.kind,
        title=explanation.title,
        message=explanation.message,
        note=explanation.note,
        view=view,
        signin_url=ui.public_url.signin_url(),
    )


def confirm_page(
    ui: Ui, token: str, view: LinkView, signed_in: SignedIn | None, *, sign_in: str | None = None,
    status: int = 200, error: str | None = None, note: str = "",
) -> HTMLResponse:  # fmt: skip
    """The page behind a usable link: what is being decided and its one form."""
    return render(
        "link_confirm.html",
        status=status,
        view=view,
        token=token,
        csrf_token=signed_in.session.csrf_token if signed_in else None,
        signed_in=signed_in,
        sign_in=sign_in,
        signin_url=ui.public_url.signin_url(f"/links/{token}"),
        error=error,
        note=note,
        max_note=MAX_NOTES_LENGTH,
    )


def explain(outcome: LinkStatus | str, facts: DecisionPage | None) -> Explanation:
    """What to tell the visitor: `outcome` is a link's status, or "decided" / "unknown"."""
    what = _what(facts)
    notes = (facts.notes if facts else "") or None
    if outcome == "decided":
        if facts is not None and facts.outcome is Outcome.APPROVED:
            return Explanation("decided", "Approved", f"You approved {what}. The deployment continues.", notes)
        return Explanation("decided", "Rejected", f"You rejected {what}. The deployment stops.", notes)
    if outcome == "unknown":
        return Explanation(
            "unknown",
            "This link is not valid",
            "Seaway does not know this link. It may have been cut off or mistyped: open it from the email again.",
        )
    if facts is not None and facts.state is InterruptionState.RESOLVED:
        title = "This link was already used" if outcome is LinkStatus.USED else "Already decided"
        return Explanation("already_decided", title, f"{_upper_first(what)} was already {_decided(facts)}.", notes)
    if outcome is LinkStatus.SUPERSEDED:
        return Explanation(
            "content_changed",
            "The release changed",
            f"{_upper_first(what)} changed after this link was sent, so the link no longer describes what would "
            "be deployed and cannot decide it.",
        )
    if facts is not None and facts.deployment_over:
        if "supersed" in (notes or "").lower():
            return Explanation("superseded", "Superseded", f"A newer deployment replaced {what}: {notes}.")
        return Explanation(
            "canceled",
            "The deployment was canceled",
            f"{_upper_first(what)} was canceled or has ended. No decision is needed.",
        )
    if outcome is LinkStatus.EXPIRED:
        return Explanation(
            "expired",
            "This link has expired",
            f"The link for {what} has expired. Sign in to Seaway to decide there, or {_ask_for_new_links(facts)}.",
        )
    return Explanation(
        "withdrawn",
        "This link was withdrawn",
        f"This link can no longer decide {what}. Newer links may have been sent to you since (use the latest "
        "email), or you may no longer be among the people who decide it.",
    )


def _ask_for_new_links(facts: DecisionPage | None) -> str:
    # Anyone responsible, the deployer or an administrator can send them: `seaway approvals resend ID`.
    deployer = facts.deployer if facts else None
    return f"ask {deployer} (who started the deployment) to send new links" if deployer else "ask for new links"


def _what(facts: DecisionPage | None) -> str:
    if facts is None:
        return "this deployment"
    return f"the deployment of {facts.project} {facts.release} to {facts.environment}"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _decided(facts: DecisionPage) -> str:
    verb = "approved" if facts.outcome is Outcome.APPROVED else "rejected"
    at = facts.decided_at
    when = at.strftime("%Y-%m-%d %H:%M:%S UTC") if at is not None else "an earlier time"
    return f"{verb} by {facts.decided_by or 'someone'} at {when}"
