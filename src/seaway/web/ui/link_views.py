"""What an approval link's pages show about the decision it offers: the confirmation page, and the result
pages once it no longer offers one (`links.py` builds it, `link_results.py` shows it)."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup


@dataclass(frozen=True)
class LinkView:
    """What the confirmation page shows."""

    decision: str  # "approve" or "reject"
    project: str
    release: str
    environment: str
    step: str
    deployer: str
    recipient: str
    instructions_html: Markup
    changes: list[str]
    expires_at: str
    deployment_path: str  # the deployment's page (it asks for a sign-in)
