"""Approval policies, the change requests they put on deployments, and the decisions made on those."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import id_column, json_column, reference, scoped_named_entity, table, timestamp

approval_policies = table(
    "approval_policies",
    *scoped_named_entity(),
    json_column("teams"),  # approvers
    json_column("users"),
    sa.Column("minimum", sa.Integer, nullable=False),
    sa.Column("block_deployment_creator", sa.Boolean, nullable=False),
    json_column("quorum"),  # [{team, minimum}]
    json_column("timeout", nullable=True),  # {after: "24h", action, escalate_to: [teams]}
    sa.Column("remind_every", sa.String(20), nullable=True),  # "4h"
    json_column("change_windows", server_default="[]"),  # domain `window_to_json`
    json_column("tags", server_default="[]"),  # scope: project or environment tags
)

# The id is the n of SEA-n: AUTOINCREMENT on SQLite (a sequence on PostgreSQL), so a number is never reused.
change_requests = table(
    "change_requests",
    id_column(),
    reference("deployment_id", "deployments", unique=True),
    reference("task_id", "tasks", unique=True),
    sa.Column("project", sa.String(200), nullable=False),
    sa.Column("environment", sa.String(200), nullable=False),
    sa.Column("release_version", sa.String(200), nullable=False),
    json_column("policy"),  # the merged policy as it was when the request was made
    reference("requested_by", "users", on_delete="SET NULL", nullable=True),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False, server_default=""),
    timestamp("created_at"),
    timestamp("decided_at", nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False, server_default=""),  # domain `bound_content`
    json_column("changes", server_default="[]"),  # why approvals were last voided
    json_column("escalated_teams", server_default="[]"),  # added by a timeout
    sqlite_autoincrement=True,
)

# One decision per person and request: the unique key is what makes a person count once.
change_request_decisions = table(
    "change_request_decisions",
    id_column(),
    reference("change_request_id", "change_requests"),
    reference("user_id", "users"),
    sa.Column("result", sa.String(10), nullable=False),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    sa.Column("channel", sa.String(20), nullable=False),
    timestamp("decided_at"),
    sa.UniqueConstraint("change_request_id", "user_id"),
)

# One approver's Approve or Reject link for one change request: only the token's hash is stored.
change_request_links = table(
    "change_request_links",
    id_column(),
    reference("change_request_id", "change_requests", index=True),
    reference("user_id", "users"),
    sa.Column("decision", sa.String(10), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    timestamp("created_at"),
    timestamp("expires_at"),
    timestamp("opened_at", nullable=True),
    timestamp("used_at", nullable=True),
    timestamp("revoked_at", nullable=True),
)
