"""Who an email about a deployment goes to or names, and which deployment it is about.

Every message in `messages.py` is built from these values, so a user becomes a person an email is
addressed to or names, and an interruption or a change request the deployment it is about, in one place each.
"""

from __future__ import annotations

from dataclasses import dataclass

from seaway.domain.change_requests import ChangeRequest
from seaway.domain.ids import format_id
from seaway.domain.interruptions import Interruption
from seaway.domain.users import User
from seaway.errors import InvalidInput


@dataclass(frozen=True, kw_only=True)
class Person:
    """Someone an email is sent to or names (who asked for a decision, who made it), as the UI shows them."""

    name: str
    username: str
    email: str | None = None

    @classmethod
    def of(cls, user: User) -> Person:
        return cls(name=user.label, username=user.username, email=user.email)

    @property
    def address(self) -> str:
        """Where an email to this person goes; InvalidInput for someone without an address."""
        if not self.email:
            raise InvalidInput(f"{self.username} has no email address", field="to")
        return self.email


# Who an email names when nobody did it but Seaway itself: a request nobody deployed, a timeout's rejection.
SEAWAY = Person(name="Seaway", username="seaway")


@dataclass(frozen=True, kw_only=True)
class AboutDeployment:
    """What every email about a deployment names: which release (the version, e.g. `1.0.3`) of which project
    is going where, and the deployment's page."""

    project: str
    release: str
    environment: str
    deployment_url: str


def deployment_page(public_url: str, deployment_id: int) -> str:
    """The deployment's page under the configured public URL (never one taken from a request)."""
    return f"{public_url.rstrip('/')}/deployments/{format_id('deployment', deployment_id)}"


def about_interruption(interruption: Interruption) -> AboutDeployment:
    """The deployment an interruption stopped, as recorded when it opened."""
    return AboutDeployment(
        project=interruption.project_name,
        release=interruption.release_version,
        environment=interruption.environment,
        deployment_url=interruption.deployment_url,
    )


def about_change_request(request: ChangeRequest, deployment_url: str) -> AboutDeployment:
    """The deployment a change request holds back, whose page (`deployment_page`) the caller knows."""
    return AboutDeployment(
        project=request.project,
        release=request.release_version,
        environment=request.environment,
        deployment_url=deployment_url,
    )
