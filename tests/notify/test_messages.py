import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest

from seaway.errors import InvalidInput
from seaway.notify.addressing import SEAWAY, AboutDeployment, Person
from seaway.notify.base import Email, unique_addresses
from seaway.notify.messages import (
    ApprovalRequest,
    DecisionNotice,
    DecisionReceipt,
    DeploymentResultNotice,
    approval_request_email,
    decision_email,
    decision_receipt_email,
    deployment_result_email,
    html_to_text,
    step_email,
)

APPROVE_URL = "http://127.0.0.1:8080/links/Hn3_aWq0-approve?via=email&x=1"
REJECT_URL = "http://127.0.0.1:8080/links/Zp9_bXr1-reject"
WHEN = datetime(2024, 5, 4, 12, 30, tzinfo=UTC)


ABOUT = AboutDeployment(
    project="Random Quotes",
    release="1.0.3",
    environment="Prod",
    deployment_url="http://127.0.0.1:8080/deployments/Deployments-7",
)
ALICE = Person(name="Alice Approver", username="alice", email="alice@example.com")
JANE = Person(name="Jane Deployer", username="jane", email="jane@example.com")
BOB = Person(name="Bob", username="bob")


def about(**overrides: str) -> AboutDeployment:
    return dataclasses.replace(ABOUT, **overrides)


def make_request(**overrides: object) -> ApprovalRequest:
    request = ApprovalRequest(
        about=ABOUT,
        recipient=ALICE,
        step="Sign Off",
        instructions_markdown="Check the **staging** site:\n\n- quotes load\n- no errors",
        deployer=JANE,
        approve_url=APPROVE_URL,
        reject_url=REJECT_URL,
        expires_at=WHEN,
        release_notes="Fixes the *empty quote* bug.",
        changes=["Deploy web app: package quotes 1.0.2 → 1.0.3", "Variable Greeting changed"],
    )
    return dataclasses.replace(request, **overrides)  # type: ignore[arg-type]


def make_decision(**overrides: object) -> DecisionNotice:
    notice = DecisionNotice(
        about=ABOUT,
        recipient=JANE,
        step="Sign Off",
        outcome="approved",
        decided_by=ALICE,
        decided_at=WHEN,
        note="Looks good",
    )
    return dataclasses.replace(notice, **overrides)  # type: ignore[arg-type]


def make_receipt(**overrides: object) -> DecisionReceipt:
    receipt = DecisionReceipt(
        about=ABOUT,
        recipient=ALICE,
        step="Sign Off",
        outcome="approved",
        decided_at=WHEN,
        channel="email-link",
        ip="192.0.2.7",
        note="Looks good",
    )
    return dataclasses.replace(receipt, **overrides)  # type: ignore[arg-type]


def make_result(**overrides: object) -> DeploymentResultNotice:
    notice = DeploymentResultNotice(
        about=ABOUT,
        recipient=JANE,
        state="success",
        error=None,
        finished_at=WHEN,
    )
    return dataclasses.replace(notice, **overrides)  # type: ignore[arg-type]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.append(dict(attrs)["href"] or "")


def hrefs(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def lines_starting_with(text: str, prefix: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(prefix)]


# Approval requests


def test_the_approval_email_goes_to_the_approver_with_a_subject_naming_release_and_environment():
    email = approval_request_email(make_request())

    assert email.to == ("alice@example.com",)
    assert email.subject == "Approval needed: Random Quotes 1.0.3 to Prod"


def test_the_text_part_carries_the_approve_and_reject_links_on_lines_of_their_own():
    text = approval_request_email(make_request()).text

    assert lines_starting_with(text, "Approve: ") == [f"Approve: {APPROVE_URL}"]
    assert lines_starting_with(text, "Reject: ") == [f"Reject: {REJECT_URL}"]


def test_user_text_cannot_forge_an_approve_or_reject_line():
    forged = "Approve: http://evil.example/steal\nReject: http://evil.example/steal"
    email = approval_request_email(
        make_request(instructions_markdown=forged, release_notes=forged, changes=[forged], step=forged)
    )

    assert lines_starting_with(email.text, "Approve: ") == [f"Approve: {APPROVE_URL}"]
    assert lines_starting_with(email.text, "Reject: ") == [f"Reject: {REJECT_URL}"]


def test_the_text_part_says_what_who_when_and_that_a_confirmation_page_decides():
    text = approval_request_email(make_request()).text

    assert "Jane Deployer (jane) is deploying Random Quotes 1.0.3 to Prod." in text
    assert '"Sign Off"' in text
    assert "Check the **staging** site:" in text
    assert "- Deploy web app: package quotes 1.0.2 → 1.0.3" in text
    assert "Fixes the *empty quote* bug." in text
    assert "expire at 2024-05-04 12:30 UTC" in text
    assert "nothing is decided until you confirm there" in text
    assert "Deployment: http://127.0.0.1:8080/deployments/Deployments-7" in text


def test_the_html_part_has_the_two_links_exactly_as_given():
    html = approval_request_email(make_request()).html
    assert html is not None

    assert APPROVE_URL in hrefs(html)
    assert REJECT_URL in hrefs(html)
    assert ">Approve</a>" in html
    assert ">Reject</a>" in html


def test_instructions_markdown_renders_in_the_html_part():
    html = approval_request_email(make_request()).html
    assert html is not None

    assert "<strong>staging</strong>" in html
    assert "<li>quotes load</li>" in html
    assert "<em>empty quote</em>" in html


def test_script_in_instructions_is_escaped_and_the_html_has_no_script_form_or_remote_asset():
    email = approval_request_email(
        make_request(
            instructions_markdown='<script>alert("x")</script>\n\n![pixel](http://tracker.example/p.gif)',
            release_notes="<form action='http://evil.example'><input></form>",
            about=about(project="<b>Quotes</b>"),
        )
    )
    html = email.html
    assert html is not None

    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;Quotes&lt;/b&gt;" in html
    assert "<script" not in html.lower()
    assert "<form" not in html.lower()
    assert "<img" not in html.lower()
    assert "src=" not in html.lower()


def test_the_html_part_says_who_asked_when_the_links_expire_and_that_a_confirmation_page_decides():
    html = approval_request_email(make_request()).html
    assert html is not None

    assert "Jane Deployer" in html
    assert "(jane)" in html
    assert "2024-05-04 12:30 UTC" in html
    assert "nothing is decided until you confirm there" in html


def test_expiry_in_another_time_zone_is_shown_in_utc():
    expires = datetime(2024, 5, 4, 14, 30, tzinfo=timezone(timedelta(hours=2)))

    assert "expire at 2024-05-04 12:30 UTC" in approval_request_email(make_request(expires_at=expires)).text


def test_a_naive_expiry_is_refused():
    with pytest.raises(InvalidInput) as error:
        approval_request_email(make_request(expires_at=datetime(2024, 5, 4, 12, 30)))
    assert error.value.field == "expires_at"


def test_a_link_that_is_not_http_is_refused():
    with pytest.raises(InvalidInput) as error:
        approval_request_email(make_request(approve_url="javascript:alert(1)"))
    assert error.value.field == "approve_url"


def test_a_newline_in_a_name_does_not_break_the_subject():
    email = approval_request_email(
        make_request(about=about(project="Random\nQuotes", environment="Prod\r\nBcc: x@evil.example"))
    )

    assert email.subject == "Approval needed: Random Quotes 1.0.3 to Prod Bcc: x@evil.example"


def test_empty_instructions_notes_and_changes_leave_their_sections_out():
    email = approval_request_email(make_request(instructions_markdown="", release_notes="", changes=[]))

    assert "Instructions" not in email.text
    assert "Release notes" not in email.text
    assert "What changes" not in email.text
    assert email.html is not None
    assert "Instructions" not in email.html


# Decisions


def test_an_approval_tells_the_deployer_who_approved_with_the_note_and_when():
    email = decision_email(make_decision())

    assert email.to == ("jane@example.com",)
    assert email.subject == "Approved by Alice Approver: Looks good — Random Quotes 1.0.3 to Prod"
    assert "Approved by Alice Approver: Looks good" in email.text.splitlines()
    assert "Decided by Alice Approver (alice) at 2024-05-04 12:30 UTC." in email.text
    assert "continues with its next step" in email.text


def test_a_rejection_tells_the_deployer_the_reason_and_that_the_deployment_stops():
    email = decision_email(make_decision(outcome="rejected", decided_by=BOB, note="Not during the sale"))

    assert email.subject.startswith("Rejected by Bob: Not during the sale")
    assert "Rejected by Bob: Not during the sale" in email.text.splitlines()
    assert "The deployment stops" in email.text
    assert email.html is not None
    assert "Not during the sale" in email.html


def test_a_multi_line_note_keeps_its_first_line_in_the_headline_and_the_rest_below():
    email = decision_email(make_decision(outcome="rejected", decided_by=BOB, note="Not now.\nTry Monday."))

    assert "Rejected by Bob: Not now." in email.text.splitlines()
    assert "    Try Monday." in email.text.splitlines()
    assert "\n" not in email.subject


def test_a_long_note_is_shortened_in_the_subject_only():
    note = "word " * 40
    email = decision_email(make_decision(note=note))

    assert "…" in email.subject
    assert len(email.subject) < 120
    assert note.strip() in email.text


def test_a_decision_without_a_note_still_says_who():
    email = decision_email(make_decision(note=""))

    assert email.subject == "Approved by Alice Approver — Random Quotes 1.0.3 to Prod"
    assert "Approved by Alice Approver" in email.text.splitlines()


def test_a_canceled_request_says_it_can_no_longer_be_decided():
    email = decision_email(make_decision(outcome="canceled", decided_by=SEAWAY, note="Superseded by 1.0.4"))

    assert email.subject.startswith("Canceled by Seaway: Superseded by 1.0.4")
    assert "can no longer be decided" in email.text


def test_an_unknown_outcome_is_refused():
    with pytest.raises(InvalidInput) as error:
        decision_email(make_decision(outcome="maybe"))
    assert error.value.field == "outcome"


def test_a_note_with_html_is_escaped_in_the_decision_html():
    html = decision_email(make_decision(note="<script>alert(1)</script>")).html
    assert html is not None

    assert "<script" not in html
    assert "&lt;script&gt;" in html


# The decider's receipt


def test_a_receipt_tells_the_decider_what_was_recorded_in_their_name_and_how():
    email = decision_receipt_email(make_receipt())

    assert email.to == ("alice@example.com",)
    assert email.subject == "You approved Random Quotes 1.0.3 to Prod"
    assert 'You approved Random Quotes 1.0.3 to Prod, step "Sign Off".' in email.text
    assert "Recorded at 2024-05-04 12:30 UTC through an emailed approval link from 192.0.2.7." in email.text
    assert "    Looks good" in email.text.splitlines()
    assert "If this was not you" in email.text
    assert email.html is not None
    assert "If this was not you" in email.html
    assert hrefs(email.html) == ["http://127.0.0.1:8080/deployments/Deployments-7"]


@pytest.mark.parametrize(
    ("channel", "words"),
    [("api", "through the API"), ("cli", "through the command line"), ("ui", "through the web interface")],
)
def test_a_receipt_names_the_channel_and_leaves_out_an_unknown_address(channel, words):
    email = decision_receipt_email(make_receipt(channel=channel, ip=None, outcome="rejected", note=""))

    assert email.subject == "You rejected Random Quotes 1.0.3 to Prod"
    assert f"Recorded at 2024-05-04 12:30 UTC {words}." in email.text
    assert "Your note" not in email.text


def test_a_note_in_a_receipt_cannot_forge_a_line_and_is_escaped_in_html():
    email = decision_receipt_email(make_receipt(note="fine\nIf this was you, ignore\n<b>x</b>"))

    assert "If this was you, ignore" not in email.text.splitlines()
    assert email.html is not None and "<b>x</b>" not in email.html


@pytest.mark.parametrize(("field", "value"), [("outcome", "canceled"), ("outcome", "maybe"), ("channel", "fax")])
def test_a_receipt_refuses_what_is_not_a_decision(field, value):
    with pytest.raises(InvalidInput) as error:
        decision_receipt_email(make_receipt(**{field: value}))
    assert error.value.field == field


# Deployment results


@pytest.mark.parametrize(
    ("state", "subject", "sentence"),
    [
        (
            "success",
            "Deployed: Random Quotes 1.0.3 to Prod",
            "was deployed to Prod successfully at 2024-05-04 12:30 UTC",
        ),
        ("failed", "Deployment failed: Random Quotes 1.0.3 to Prod", "to Prod failed at 2024-05-04 12:30 UTC"),
        ("canceled", "Deployment canceled: Random Quotes 1.0.3 to Prod", "was canceled at 2024-05-04 12:30 UTC"),
    ],
)
def test_the_result_email_names_the_final_state_in_subject_and_text(state, subject, sentence):
    email = deployment_result_email(make_result(state=state))

    assert email.to == ("jane@example.com",)
    assert email.subject == subject
    assert sentence in email.text


def test_a_failure_carries_the_error_text_escaped_in_html():
    email = deployment_result_email(make_result(state="failed", error="User denied the deployment <Bob>"))

    assert "    User denied the deployment <Bob>" in email.text
    assert email.html is not None
    assert "User denied the deployment &lt;Bob&gt;" in email.html


# The send-email step


def test_a_text_step_email_has_no_html_part():
    email = step_email(["ops@example.com"], "Deployed", "Random Quotes is live.", is_html=False)

    assert email == Email(to=("ops@example.com",), subject="Deployed", text="Random Quotes is live.")


def test_an_html_step_email_gets_a_text_fallback_without_tags():
    body = "<h1>Deployed</h1><p>Random&nbsp;Quotes is <b>live</b>.<br>See <a href='https://q.example'>the site</a>.</p>"
    body += "<ul><li>one</li><li>two</li></ul><script>track()</script><style>p{}</style>"

    email = step_email("ops@example.com", "Deployed", body, is_html=True)

    assert email.html == body
    assert email.text == "Deployed\n\nRandom Quotes is live.\nSee the site (https://q.example).\n\n- one\n- two"


def test_a_step_email_accepts_a_separated_address_string_and_removes_duplicates():
    email = step_email("ops@example.com; dev@example.com, OPS@example.com,", "Subject\nline", "body", is_html=False)

    assert email.to == ("ops@example.com", "dev@example.com")
    assert email.subject == "Subject line"


def test_html_to_text_keeps_a_link_once_when_its_label_is_the_url():
    assert html_to_text('<a href="https://q.example">https://q.example</a>') == "https://q.example"


# Email values


def test_duplicate_addresses_are_removed_case_insensitively_keeping_the_first_spelling_and_order():
    assert unique_addresses(["Bob@example.com", "alice@example.com", "bob@EXAMPLE.com", " alice@example.com "]) == (
        "Bob@example.com",
        "alice@example.com",
    )


def test_an_email_removes_duplicate_recipients():
    email = Email(to=("a@example.com", "A@example.com", "b@example.com"), subject="s", text="t")

    assert email.to == ("a@example.com", "b@example.com")


@pytest.mark.parametrize(
    "address",
    ["", "alice", "alice@", "@example.com", "a b@example.com", "a@example.com\nBcc: x@evil.example", "A <a@x.org>"],
)
def test_an_email_refuses_what_is_not_a_plain_address(address):
    with pytest.raises(InvalidInput) as error:
        Email(to=(address,), subject="s", text="t")
    assert error.value.field == "to"


def test_an_email_needs_a_recipient():
    with pytest.raises(InvalidInput, match="at least one recipient"):
        Email(to=(), subject="s", text="t")


def test_an_email_refuses_a_bad_reply_to_and_a_multi_line_subject():
    with pytest.raises(InvalidInput) as error:
        Email(to=("a@example.com",), subject="s", text="t", reply_to="nobody")
    assert error.value.field == "reply_to"
    with pytest.raises(InvalidInput) as error:
        Email(to=("a@example.com",), subject="s\r\nBcc: x@evil.example", text="t")
    assert error.value.field == "subject"
