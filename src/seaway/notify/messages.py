"""Build Seaway's emails from plain input values: approval requests, decisions, results, step emails.

Pure functions: no clock, no store, no network. Text parts are rendered from `templates/*.txt` and HTML
parts from `templates/*.html` (autoescaped). The approval email's text part carries the contract lines
`Approve: <url>` and `Reject: <url>`; every user-supplied block in a text part is indented so that no
instruction, note or release note can forge such a line.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Literal

from markupsafe import Markup

from seaway.domain.safe_markdown import safe_html
from seaway.domain.states import TaskState
from seaway.errors import InvalidInput
from seaway.jinja_environment import jinja_environment
from seaway.notify.addressing import AboutDeployment, Person
from seaway.notify.base import Email

Outcome = Literal["approved", "rejected", "canceled"]

# A text part ends with a newline, as its template does.
_templates = jinja_environment("seaway.notify", keep_trailing_newline=True)

_SUBJECT_NOTE_LENGTH = 60


@dataclass(frozen=True, kw_only=True)
class ApprovalRequest:
    """One approver's request to decide a manual-intervention gate."""

    about: AboutDeployment
    recipient: Person
    step: str
    instructions_markdown: str
    deployer: Person
    approve_url: str
    reject_url: str
    expires_at: datetime
    release_notes: str = ""
    # Short lines describing what this release changes against the one last deployed to the environment.
    changes: Sequence[str] = ()


@dataclass(frozen=True, kw_only=True)
class DecisionNotice:
    """Tells the deployer (or an approver whose request ended undecided) how a gate was decided."""

    about: AboutDeployment
    recipient: Person
    step: str
    outcome: Outcome
    decided_by: Person
    decided_at: datetime
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DecisionReceipt:
    """Tells the person who decided what was recorded in their name, so a misused link is noticed quickly."""

    about: AboutDeployment
    recipient: Person
    step: str
    outcome: Outcome
    decided_at: datetime
    channel: str  # how the decision arrived: email-link, ui, api or cli
    ip: str | None
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class DeploymentResultNotice:
    """Tells the deployer how a deployment ended."""

    about: AboutDeployment
    recipient: Person
    state: TaskState  # one of TERMINAL_TASK_STATES
    error: str | None
    finished_at: datetime
    change_request: str = ""  # how the deployment's change request was decided, and by whom


@dataclass(frozen=True, kw_only=True)
class ApprovalReminder:
    """Reminds an approver who has not decided a change request yet; with new links when theirs ran out."""

    about: AboutDeployment
    recipient: Person
    step: str
    waiting_since: datetime
    still_needed: int
    expires_at: datetime  # of the new links, or of the ones sent before
    approve_url: str | None = None
    reject_url: str | None = None


@dataclass(frozen=True)
class SimpleMessage:
    """The send-email step's message; `body` is already variable-substituted by the step."""

    to: tuple[str, ...]
    subject: str
    body: str
    is_html: bool = False


def approval_request_email(req: ApprovalRequest) -> Email:
    what = _what(req.about)
    context = {
        "recipient_name": _one_line(req.recipient.name),
        **_deployment_context(req.about),
        "step": _one_line(req.step),
        "deployer_name": _one_line(req.deployer.name),
        "deployer_username": _one_line(req.deployer.username),
        "approve_url": _url(req.approve_url, "approve_url"),
        "reject_url": _url(req.reject_url, "reject_url"),
        "expires_at": _utc(req.expires_at, "expires_at"),
        "changes": [line for line in (_one_line(change) for change in req.changes) if line],
        "instructions_text": _indent(req.instructions_markdown),
        "instructions_html": _render_markdown(req.instructions_markdown),
        "release_notes_text": _indent(req.release_notes),
        "release_notes_html": _render_markdown(req.release_notes),
    }
    text, html = _render("approval_request", context)
    return Email(to=(req.recipient.address,), subject=f"Approval needed: {what}", text=text, html=html)


_DECISION_VERBS: Mapping[str, str] = {"approved": "Approved", "rejected": "Rejected", "canceled": "Canceled"}


def decision_email(n: DecisionNotice) -> Email:
    verb = _DECISION_VERBS.get(n.outcome)
    if verb is None:
        raise InvalidInput(f"unknown outcome {n.outcome!r}", field="outcome")
    decided_by = _one_line(n.decided_by.name)
    first_line, _, rest = _newlines(n.note.strip()).partition("\n")
    headline = f"{verb} by {decided_by}: {first_line.strip()}" if first_line else f"{verb} by {decided_by}"
    what = _what(n.about)
    context = {
        "outcome": n.outcome,
        "headline": headline,
        "note_rest_text": _indent(rest),
        "note": n.note.strip(),
        "deployer_name": _one_line(n.recipient.name),
        "decided_by_name": decided_by,
        "decided_by_username": _one_line(n.decided_by.username),
        "decided_at": _utc(n.decided_at, "decided_at"),
        **_deployment_context(n.about),
        "step": _one_line(n.step),
    }
    text, html = _render("decision", context)
    note = _one_line(first_line)
    if len(note) > _SUBJECT_NOTE_LENGTH:
        note = note[: _SUBJECT_NOTE_LENGTH - 1].rstrip() + "…"
    subject = f"{verb} by {decided_by}: {note} — {what}" if note else f"{verb} by {decided_by} — {what}"
    return Email(to=(n.recipient.address,), subject=subject, text=text, html=html)


_CHANNEL_NAMES: Mapping[str, str] = {
    "email-link": "an emailed approval link",
    "ui": "the web interface",
    "api": "the API",
    "cli": "the command line",
}


def decision_receipt_email(r: DecisionReceipt) -> Email:
    verb = _DECISION_VERBS.get(r.outcome)
    if verb is None or r.outcome == "canceled":
        raise InvalidInput(f"a receipt is for an approval or a rejection, not {r.outcome!r}", field="outcome")
    via = _CHANNEL_NAMES.get(r.channel)
    if via is None:
        raise InvalidInput(f"unknown channel {r.channel!r}", field="channel")
    what = _what(r.about)
    context = {
        "outcome": r.outcome,
        "verb": verb,
        "recipient_name": _one_line(r.recipient.name),
        **_deployment_context(r.about),
        "step": _one_line(r.step),
        "decided_at": _utc(r.decided_at, "decided_at"),
        "via": via,
        "ip": _one_line(r.ip or ""),
        "note": r.note.strip(),
        "note_text": _indent(r.note),
    }
    text, html = _render("decision_receipt", context)
    return Email(to=(r.recipient.address,), subject=f"You {r.outcome} {what}", text=text, html=html)


_RESULT_SUBJECTS: Mapping[TaskState, str] = {
    TaskState.SUCCESS: "Deployed",
    TaskState.FAILED: "Deployment failed",
    TaskState.CANCELED: "Deployment canceled",
}


def deployment_result_email(n: DeploymentResultNotice) -> Email:
    prefix = _RESULT_SUBJECTS.get(n.state)
    if prefix is None:
        raise InvalidInput(f"unknown final state {n.state!r}", field="state")
    what = _what(n.about)
    error = (n.error or "").strip()
    context = {
        "state": n.state,
        "deployer_name": _one_line(n.recipient.name),
        **_deployment_context(n.about),
        "finished_at": _utc(n.finished_at, "finished_at"),
        "error": error,
        "error_text": _indent(error),
        "change_request": _one_line(n.change_request),
    }
    text, html = _render("deployment_result", context)
    return Email(to=(n.recipient.address,), subject=f"{prefix}: {what}", text=text, html=html)


def approval_reminder_email(r: ApprovalReminder) -> Email:
    fresh = r.approve_url is not None and r.reject_url is not None
    context = {
        "recipient_name": _one_line(r.recipient.name),
        **_deployment_context(r.about),
        "step": _one_line(r.step),
        "waiting_since": _utc(r.waiting_since, "waiting_since"),
        "still_needed": r.still_needed,
        "expires_at": _utc(r.expires_at, "expires_at"),
        "fresh": fresh,
        "approve_url": _url(r.approve_url, "approve_url") if r.approve_url else "",
        "reject_url": _url(r.reject_url, "reject_url") if r.reject_url else "",
    }
    text, html = _render("approval_reminder", context)
    return Email(
        to=(r.recipient.address,), subject=f"Reminder: approval needed: {_what(r.about)}", text=text, html=html
    )


def step_email(to: str | Iterable[str], subject: str, body: str, is_html: bool) -> Email:
    """The send-email step's email. `to` may be a list or one string of addresses separated by `,` or `;`."""
    recipients = tuple(to.replace(";", ",").split(",")) if isinstance(to, str) else tuple(to)
    return simple_message_email(SimpleMessage(to=recipients, subject=subject, body=body, is_html=is_html))


def simple_message_email(message: SimpleMessage) -> Email:
    # Addresses are stripped by Email; empty entries come from separators such as "a@x.org, , b@x.org".
    to = tuple(address for address in message.to if address.strip())
    if message.is_html:
        # The text alternative keeps the message readable in text-only clients and in the outbox view.
        return Email(to=to, subject=_one_line(message.subject), text=html_to_text(message.body), html=message.body)
    return Email(to=to, subject=_one_line(message.subject), text=message.body)


def _what(about: AboutDeployment) -> str:
    """The deployment as a subject names it: `Random Quotes 1.0.3 to Prod`."""
    return f"{_one_line(about.project)} {_one_line(about.release)} to {_one_line(about.environment)}"


def _deployment_context(about: AboutDeployment) -> dict[str, str]:
    return {
        "project": _one_line(about.project),
        "release": _one_line(about.release),
        "environment": _one_line(about.environment),
        "deployment_url": _url(about.deployment_url, "deployment_url"),
    }


def _render(name: str, context: Mapping[str, object]) -> tuple[str, str]:
    text = _templates.get_template(f"{name}.txt").render(context)
    html = _templates.get_template(f"{name}.html").render(context)
    return text, html


def _render_markdown(source: str) -> Markup:
    # Safe to mark: the renderer escapes all raw HTML and refuses javascript: links.
    return Markup(safe_html(source))  # noqa: S704


def _one_line(value: str) -> str:
    """Names and titles go into subjects and single text lines; a newline there could forge a line."""
    return " ".join(value.split())


def _indent(block: str) -> str:
    """A user-supplied block for a text part, indented so none of its lines starts at the margin."""
    return textwrap.indent(_newlines(block.strip()), "    ")


def _newlines(text: str) -> str:
    # A lone CR ends a line in some mail clients, so it counts as a line break everywhere here.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _utc(moment: datetime, field: str) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise InvalidInput("a time in an email must be timezone-aware", field=field)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _url(value: str, field: str) -> str:
    # Links come from the configured public URL; anything else (javascript:, a stray newline) is a bug.
    if not value.startswith(("https://", "http://")) or any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise InvalidInput(f"not an http(s) URL: {value!r}", field=field)
    return value


def html_to_text(html: str) -> str:
    """A readable plain-text rendering of an HTML body: block elements become lines, links keep their URL."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = (line.strip() for line in "".join(parser.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


class _TextExtractor(HTMLParser):
    _SKIPPED = frozenset({"script", "style", "head", "title", "template"})
    _BLOCKS = frozenset(
        {"p", "div", "tr", "ul", "ol", "table", "blockquote", "pre", "section", "article"}
        | {"header", "footer", "h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._links: list[tuple[str, int]] = []  # (href, index of the link's first part)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIPPED:
            self._skipping += 1
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self._BLOCKS or tag in ("br", "hr"):
            # Void elements have no end tag, so they break the line here and only here.
            self.parts.append("\n")
        elif tag == "a":
            self._links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self._links:
            href, start = self._links.pop()
            label = "".join(self.parts[start:]).strip()
            # Keep the destination, which is often the point of a link, unless the label already shows it.
            if href.startswith(("http://", "https://", "mailto:")) and href not in label:
                self.parts.append(f" ({href.removeprefix('mailto:')})")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))
