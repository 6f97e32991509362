"""Seaway's one error tree.

    SeawayError
    ├── InvalidInput                    bad input from a user; names the field or YAML path
    │   ├── InvalidJson                 a request body that is not a JSON document at all
    │   ├── TemplateSyntaxError         a template that does not parse (position in `field`)
    │   ├── SubstitutionFailed ¹        an expression could not be resolved and that was asked to fail
    │   ├── RecursiveDefinition ¹       a variable's value refers back to itself
    │   ├── TemplateTooDeep ¹           values nest more deeply than evaluation allows
    │   ├── LifecycleRefused            the lifecycle does not allow this release there yet
    │   ├── TooLarge                    an upload over its size limit
    │   └── ArchiveRejected ³           a package archive that is corrupt, escapes its directory or is a bomb
    ├── NotFound                        an entity that does not exist
    ├── Conflict                        a duplicate or a concurrent change
    │   ├── InterruptionAlreadyDecided  someone decided it first
    │   ├── InterruptionCanceled        the interruption was canceled
    │   ├── DeploymentCanceled          its deployment was asked to cancel or has ended
    │   ├── ContentChanged              the release changed since the decision was requested
    │   ├── LeaseLost                   a node wrote for a work item another node has taken over
    │   └── LinkNotUsable ²             an approval link that cannot decide; `status` says why
    ├── InvalidTransition               a state change the domain does not allow
    ├── AuthenticationFailed            no or a bad credential
    ├── PermissionDenied                a known user who may not do this
    │   └── NotResponsible              not among the people who may decide an interruption
    │       └── SelfApprovalRefused     the deployer deciding their own gate
    ├── RetryableError                  an outside system failed; `retryable` says whether later may help
    │   ├── TargetError                 a deployment target failed; `retryable` drives retries
    │   ├── DeliveryFailed              an email not handed to the mail server
    │   └── PackageUnavailable          a feed that is down, refuses the credentials or lacks the package
    ├── SecretUnreadable                a stored sensitive value the master key cannot decrypt
    ├── ServerUnavailable               the CLI cannot reach the server, or the server failed
    │   └── CertificateRefused          the agent listener presented a certificate other than the pinned one
    └── RequestRefused                  the server refused the CLI's request; its message and field

¹ defined in `domain/templates/results.py`, beside the evaluation results they describe.
² defined in `domain/interruptions.py`: it carries a `LinkStatus`, and this module depends on nothing.
³ defined in `packages/archives.py`, beside the checks that raise it.

Edges translate these once, each through its own table: `web/errors.py` to HTTP problems (the UI's pages
take their statuses from it), `cli/output.py` to one line and an exit code (2 unless the server is out of
reach).
"""

from __future__ import annotations


class SeawayError(Exception):
    """Base of every error Seaway raises on purpose."""

    code = "error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        entity: str | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.entity = entity
        self.id = id

    def __str__(self) -> str:
        if self.field and not self.message.startswith(self.field):
            return f"{self.field}: {self.message}"
        return self.message


class InvalidInput(SeawayError):
    code = "invalid_input"


class InvalidJson(InvalidInput):
    """A request body that is not a JSON document at all."""

    code = "invalid_json"


class TemplateSyntaxError(InvalidInput):
    code = "template_syntax"


class LifecycleRefused(InvalidInput):
    """The lifecycle does not allow this release in that environment yet."""

    code = "lifecycle_refused"


class TooLarge(InvalidInput):
    code = "too_large"


class NotFound(SeawayError):
    code = "not_found"


class Conflict(SeawayError):
    code = "conflict"


class InterruptionAlreadyDecided(Conflict):
    code = "already_decided"


class InterruptionCanceled(Conflict):
    code = "interruption_canceled"


class DeploymentCanceled(Conflict):
    """The deployment was asked to cancel or has ended: its interruptions can no longer be decided."""

    code = "deployment_canceled"


class ContentChanged(Conflict):
    """The release changed since the decision was requested; the request no longer describes it."""

    code = "content_changed"


class LeaseLost(Conflict):
    """This node no longer holds the work item's lease: its write was refused (and rolled back)."""

    code = "lease_lost"


class InvalidTransition(SeawayError):
    code = "invalid_transition"

    def __init__(
        self, message: str, *, from_state: str, to_state: str, entity: str | None = None, id: str | None = None
    ) -> None:
        super().__init__(message, entity=entity, id=id)
        self.from_state = from_state
        self.to_state = to_state


class AuthenticationFailed(SeawayError):
    code = "unauthenticated"


class PermissionDenied(SeawayError):
    code = "forbidden"


class NotResponsible(PermissionDenied):
    """The user is not among the people who may decide this interruption."""

    code = "not_responsible"


class SelfApprovalRefused(NotResponsible):
    """The deployer may not decide their own deployment's gate unless the step allows it (separation of duties)."""

    code = "self_approval"


class RetryableError(SeawayError):
    """Something outside Seaway failed; `retryable` says whether trying the same again later may help."""

    code = "retryable_error"

    def __init__(self, message: str, *, retryable: bool = False, **fields: str | None) -> None:
        super().__init__(message, **fields)
        self.retryable = retryable


class TargetError(RetryableError):
    code = "target_error"


class DeliveryFailed(RetryableError):
    """An email could not be handed to the mail server."""

    code = "delivery_failed"


class PackageUnavailable(RetryableError):
    code = "package_unavailable"


class SecretUnreadable(SeawayError):
    """A stored sensitive value cannot be decrypted with the current master key."""

    code = "secret_unreadable"


class ServerUnavailable(SeawayError):
    """The CLI cannot reach the Seaway server, lost the connection, or the server failed to answer (5xx)."""

    code = "server_unavailable"


class CertificateRefused(ServerUnavailable):
    """A polling agent refused the server: its certificate is not the one pinned at registration."""

    code = "certificate_refused"


class RequestRefused(SeawayError):
    """The server refused a request the CLI sent (a 4xx answer). `status` is the HTTP status; the message and
    field are the server's, and the message already says what it is about, so it is shown as it is."""

    code = "request_refused"

    def __init__(self, message: str, *, status: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.status = status

    def __str__(self) -> str:
        return self.message
