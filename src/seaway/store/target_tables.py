"""Deployment targets and the accounts that reach them."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import json_column, named_entity, reference, table, timestamp

# Credentials for targets: an SSH private key or a password, encrypted with the master key.
accounts = table(
    "accounts",
    *named_entity(),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("username", sa.String(200), nullable=False),
    sa.Column("secret", sa.Text, nullable=False),  # encrypted with the master key
)

targets = table(
    "targets",
    *named_entity(),
    json_column("environments"),  # names, as grants name them
    json_column("roles"),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("policy", sa.String(200), nullable=False),
    # How Seaway reaches it (`CommunicationStyle`): over SSH (host, port, account) or as a polling agent.
    sa.Column("style", sa.String(30), nullable=False, server_default="Ssh"),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("port", sa.Integer, nullable=False),
    # By id, so renaming an account keeps its targets; an account in use cannot be deleted. None: an agent.
    reference("account_id", "accounts", on_delete="RESTRICT", nullable=True, index=True),
    sa.Column("fingerprint", sa.String(100), nullable=False, server_default=""),  # pinned; empty: not yet
    sa.Column("health", sa.String(20), nullable=False, server_default="Unknown"),
    json_column("health_messages", server_default="[]"),
    timestamp("checked_at", nullable=True),
)

# One deployment runs on a target at a time: the task holding the target while a step runs there. A holder
# whose work item's lease has expired (its node died) may be taken over.
target_locks = table(
    "target_locks",
    reference("target_id", "targets", primary_key=True),
    reference("task_id", "tasks", index=True),
    timestamp("taken_at"),
)

# Machine policies beside the built-in "Default Machine Policy" (which a row may also give other settings).
machine_policies = table(
    "machine_policies",
    *named_entity(),
    sa.Column("health_check_seconds", sa.Integer, nullable=False),
    sa.Column("connectivity", sa.String(30), nullable=False),
)
