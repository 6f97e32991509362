"""Public ids are `<Kind>-<n>` strings (`Projects-1`, `ServerTasks-9`); the store uses the number."""

from __future__ import annotations

from seaway.errors import InvalidInput

# Rows are numbered by 32-bit integer columns (PostgreSQL `integer`); anything larger names nothing.
MAX_ID = 2**31 - 1

KINDS = {
    "environment": "Environments",
    "lifecycle": "Lifecycles",
    "project": "Projects",
    "release": "Releases",
    "deployment": "Deployments",
    "task": "ServerTasks",
    "user": "Users",
    "team": "Teams",
    "role": "Roles",
    "interruption": "Interruptions",
    "api_key": "ApiKeys",
    "variable_set": "LibraryVariableSets",
    "email": "Emails",
    "feed": "Feeds",
    "target": "Machines",  # Octopus's name for deployment targets
    "account": "Accounts",
    "policy": "ApprovalPolicies",
    "machine_policy": "MachinePolicies",
    "freeze": "Freezes",
}


def format_id(kind: str, number: int | None) -> str:
    if number is None:
        raise ValueError(f"a {kind} without an id cannot be named")
    return f"{KINDS[kind]}-{number}"


def parse_id(kind: str, text: str, *, field: str = "id") -> int:
    """Accept `Projects-7` or a bare `7`."""
    prefix = KINDS[kind] + "-"
    candidate = text[len(prefix) :] if text.lower().startswith(prefix.lower()) else text
    if not candidate.isascii() or not candidate.isdigit() or len(candidate) > 10 or int(candidate) > MAX_ID:
        raise InvalidInput(f'"{text}" is not a {kind} id (expected {prefix}<number>)', field=field)
    return int(candidate)
