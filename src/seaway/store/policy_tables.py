"""Approval policies, the change requests they put on deployments, and the decisions made on those."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import UtcDateTime, id_column, metadata, reference, scoped_named_entity

approval_policies = sa.Table(
    "approval_policies",
    metadata,
    *scoped_named_entity(),
    sa.Column("teams", sa.JSON, nullable=False),  # approvers
    sa.Column("users", sa.JSON, nullable=False),
    sa.Column("minimum", sa.Integer, nullable=False),
    sa.Column("block_deployment_creator", sa.Boolean, nullable=False),
    sa.Column("quorum", sa.JSON, nullable=False),  # [{team, minimum}]
    sa.Column("timeout", sa.JSON, nullable=True),  # {after: "24h", action, escalate_to: [teams]}
    sa.Column("remind_every", sa.String(20), nullable=True),  # "4h"
    sa.Column("change_windows", sa.JSON, nullable=False, server_default="[]"),  # domain `window_to_json`
    sa.Column("tags", sa.JSON, nullable=False, server_default="[]"),  # scope: project or environment tags
)

# The id is the n of SEA-n: AUTOINCREMENT on SQLite (a sequence on PostgreSQL), so a number is never reused.
change_requests = sa.Table(
    "change_requests",
    metadata,
    id_column(),
    reference("deployment_id", "deployments", unique=True),
    reference("task_id", "tasks", unique=True),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("environment", sa.String(200), nullable=False),
    sa.Column("release_version", sa.String(200), nullable=False),
    sa.Column("policy", sa.JSON, nullable=False),  # the merged policy as it was when the request was made
    reference("requested_by", "users", on_delete="SET NULL", nullable=True),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("decided_at", UtcDateTime, nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False, server_default=""),  # domain `bound_content`
    sa.Column("changes", sa.JSON, nullable=False, server_default="[]"),  # why approvals were last voided
    sa.Column("escalated_teams", sa.JSON, nullable=False, server_default="[]"),  # added by a timeout
    sqlite_autoincrement=True,
)

# One decision per person and request: the unique key is what makes a person count once.
change_request_decisions = sa.Table(
    "change_request_decisions",
    metadata,
    id_column(),
    reference("change_request_id", "change_requests"),
    reference("user_id", "users"),
    sa.Column("result", sa.String(10), nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("decided_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("change_request_id", "user_id"),
)

# One approver's Approve or Reject link for one change request: only the token's hash is stored.
change_request_links = sa.Table(
    "change_request_links",
    metadata,
    id_column(),
    reference("change_request_id", "change_requests", index=True),
    reference("user_id", "users"),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime, nullable=False),
    sa.Column("opened_at", UtcDateTime, nullable=True),
    sa.Column("used_at", UtcDateTime, nullable=True),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
)
