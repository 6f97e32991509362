"""Seaway's one error tree.

    SeawayError
    ├── InvalidInput            bad input from a user; names the field or YAML path
    │   └── TemplateSyntaxError a template that does not parse (position in `field`)
    ├── NotFound                an entity that does not exist
    ├── Conflict                a duplicate or a concurrent change
    │   └── LeaseLost           a node wrote for a work item another node has taken over
    ├── InvalidTransition       a state change the domain does not allow
    ├── AuthenticationFailed    no or a bad credential
    ├── PermissionDenied        a known user who may not do this
    └── TargetError             a deployment target failed; `retryable` drives retries

Edges translate these once: `web/errors.py` to HTTP problems, `cli/output.py` to one line and exit 2.
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


class NotFound(SeawayError):
    code = "not_found"


class Conflict(SeawayError):
    code = "conflict"


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


class TargetError(SeawayError):
    code = "target_error"

    def __init__(self, message: str, *, retryable: bool = False, **fields: str | None) -> None:
        super().__init__(message, **fields)
        self.retryable = retryable
