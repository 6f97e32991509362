"""`seaway deploy --preview` says what each policy's timeout and reminders would do."""

from __future__ import annotations

import contextlib

from seaway.cli.commands import deploy

PREVIEW = {
    "project": "Quotes",
    "release": "1.0.0",
    "environment": "Prod",
    "gated": True,
    "policy": {
        "policies": ["Change control", "Nightly"],
        "minimum": 2,
        "quorum": [],
        "timeouts": [
            {"policy": "Change control", "after": "1d", "action": "escalate", "escalate_to": ["Release Managers"]},
            {"policy": "Nightly", "after": "8h", "action": "reject", "escalate_to": []},
        ],
        "remind_every": "4h",
    },
    "approvers": ["bob"],
    "possible": True,
    "impossible": None,
}


class _Api:
    def get(self, path: str, params: dict[str, str]) -> dict[str, object]:
        assert path == "/deployments/preview"
        return PREVIEW


def test_the_preview_names_each_timeout_and_the_reminders(monkeypatch, capsys):
    monkeypatch.setattr(deploy, "client", lambda: contextlib.nullcontext(_Api()))
    deploy.show_preview("Quotes", "1.0.0", "Prod")
    printed = capsys.readouterr().out
    assert "undecided after 1d, Change control escalates to Release Managers" in printed
    assert "undecided after 8h, Nightly rejects" in printed
    assert "reminds the approvers who have not decided every 4h" in printed
