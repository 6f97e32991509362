"""Deployment targets and the accounts that reach them."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import UtcDateTime, metadata, named_entity

# Credentials for targets: an SSH private key or a password, encrypted with the master key.
accounts = sa.Table(
    "accounts",
    metadata,
    *named_entity(),
    sa.Column("type", sa.String(30), nullable=False),
    sa.Column("username", sa.String(200), nullable=False),
    sa.Column("secret", sa.Text, nullable=False),  # encrypted with the master key
)

targets = sa.Table(
    "targets",
    metadata,
    *named_entity(),
    sa.Column("environments", sa.JSON, nullable=False),  # names, as grants name them
    sa.Column("roles", sa.JSON, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("policy", sa.String(200), nullable=False),
    # How Seaway reaches it (`CommunicationStyle`): over SSH (host, port, account) or as a polling agent.
    sa.Column("style", sa.String(30), nullable=False, server_default="Ssh"),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("port", sa.Integer, nullable=False),
    # By id, so renaming an account keeps its targets; an account in use cannot be deleted. None: an agent.
    sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id", ondelete="RESTRICT"), nullable=True, index=True),
    sa.Column("fingerprint", sa.String(100), nullable=False, server_default=""),  # pinned; empty: not yet
    sa.Column("health", sa.String(20), nullable=False, server_default="Unknown"),
    sa.Column("health_messages", sa.JSON, nullable=False, server_default="[]"),
    sa.Column("checked_at", UtcDateTime, nullable=True),
)

# One deployment runs on a target at a time: the task holding the target while a step runs there. A holder
# whose work item's lease has expired (its node died) may be taken over.
target_locks = sa.Table(
    "target_locks",
    metadata,
    sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("task_id", sa.Integer, sa.ForeignKey("tasks.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("taken_at", UtcDateTime, nullable=False),
)

# Machine policies beside the built-in "Default Machine Policy" (which a row may also give other settings).
machine_policies = sa.Table(
    "machine_policies",
    metadata,
    *named_entity(),
    sa.Column("health_check_seconds", sa.Integer, nullable=False),
    sa.Column("connectivity", sa.String(30), nullable=False),
)
