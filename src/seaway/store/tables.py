"""The schema, in SQLAlchemy Core. Migrations are generated from it and checked for drift.

The feed's tables are in `package_tables.py`, the targets' in `target_tables.py` and the approval policies' in
`policy_tables.py`; all are declared with `schema.table`, in the one `metadata`."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.agent_tables import agent_work, agent_work_lines, agents
from seaway.store.freeze_tables import freeze_overrides, freezes, start_holds
from seaway.store.package_tables import feeds, packages, release_packages
from seaway.store.policy_tables import (
    approval_policies,
    change_request_decisions,
    change_request_links,
    change_requests,
)
from seaway.store.schema import (
    UtcDateTime,
    id_column,
    json_column,
    metadata,
    name_with_key,
    named_entity,
    reference,
    table,
    timestamp,
)
from seaway.store.target_tables import accounts, targets

__all__ = [
    "UtcDateTime",
    "accounts",
    "agent_work",
    "agent_work_lines",
    "agents",
    "approval_policies",
    "change_request_decisions",
    "change_request_links",
    "change_requests",
    "feeds",
    "freeze_overrides",
    "freezes",
    "metadata",
    "packages",
    "release_packages",
    "start_holds",
    "targets",
]


environments = table(
    "environments",
    *named_entity(),
    sa.Column("sort_order", sa.Integer, nullable=False),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    json_column("tags", server_default="[]"),  # domain/tags.py
)

lifecycles = table(
    "lifecycles",
    *named_entity(),
    json_column("phases"),
)

users = table(
    "users",
    id_column(),
    *name_with_key("username", 64, unique=True),
    sa.Column("display_name", sa.String(200), nullable=False, server_default=""),
    sa.Column("email", sa.String(320), nullable=True),
    sa.Column("is_admin", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("password_hash", sa.String(200), nullable=True),
    timestamp("created_at"),
    # A service account signs in with API keys only (CI); it never has a password.
    sa.Column("service_account", sa.Boolean, nullable=False, server_default=sa.false()),
    # The user's grants, resolved from their teams and roles whenever a team, role or user changes, so that
    # reading the user for a request reads what they may do in the same row (no query per team).
    json_column("grants", server_default=sa.text("'[]'")),
    # Sign-in lockout: failures counted from the first one in the window; locked until a time.
    sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
    timestamp("first_failed_sign_in_at", nullable=True),
    timestamp("locked_until", nullable=True),
)

api_keys = table(
    "api_keys",
    id_column(),
    reference("user_id", "users", index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    timestamp("created_at"),
    # The key's first characters, shown in lists so a person can tell their keys apart; never enough to use.
    sa.Column("prefix", sa.String(16), nullable=False, server_default=""),
    timestamp("expires_at", nullable=True),
    timestamp("last_used_at", nullable=True),
    timestamp("revoked_at", nullable=True),
)

# Custom roles beside the built-in ones (which live in the domain, by slug).
roles = table(
    "roles",
    *named_entity(),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    json_column("permissions"),
)

teams = table(
    "teams",
    *named_entity(),
    json_column("members"),
    json_column("roles"),
)

library_variable_sets = table(
    "library_variable_sets",
    *named_entity(),
    json_column("variables"),
)

projects = table(
    "projects",
    *named_entity(),
    sa.Column("lifecycle", sa.String(200), nullable=True),
    sa.Column("description", sa.Text, nullable=False, server_default=""),
    json_column("process"),
    json_column("variables"),
    json_column("includes"),
    json_column("channels", server_default="[]"),
    sa.Column("release_on_push", sa.String(200), nullable=True),
    json_column("connectivity", server_default="{}"),  # domain.targeting.Connectivity
    json_column("tags", server_default="[]"),  # domain/tags.py
)

releases = table(
    "releases",
    id_column(),
    reference("project_id", "projects"),
    *name_with_key("version", 100),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    json_column("process"),
    json_column("variables"),
    json_column("packages"),
    timestamp("created_at"),
    reference("created_by", "users", on_delete=None, nullable=True),
    sa.Column("channel", sa.String(200), nullable=False, server_default="Default"),
    sa.UniqueConstraint("project_id", "version_key", name="uq_releases_project_version"),
)


deployments = table(
    "deployments",
    id_column(),
    reference("release_id", "releases", index=True),
    reference("project_id", "projects"),
    reference("environment_id", "environments", on_delete=None),
    timestamp("created_at"),
    reference("created_by", "users", on_delete=None, nullable=True),
    json_column("prompted_variables"),
    sa.Column("comments", sa.Text, nullable=False, server_default=""),
    sa.Index("ix_deployments_project_environment", "project_id", "environment_id"),
)

tasks = table(
    "tasks",
    id_column(),
    reference("deployment_id", "deployments"),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    timestamp("queued_at"),
    timestamp("started_at", nullable=True),
    timestamp("finished_at", nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("error_detail", sa.Text, nullable=True),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_steps", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("deployment_id", name="uq_tasks_deployment_id"),
)

step_runs = table(
    "step_runs",
    id_column(),
    reference("task_id", "tasks"),
    sa.Column("idx", sa.Integer, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    timestamp("started_at", nullable=True),
    timestamp("finished_at", nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("skip_reason", sa.Text, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    json_column("outputs"),
    sa.UniqueConstraint("task_id", "idx", name="uq_step_runs_task_idx"),
)

task_logs = table(
    "task_logs",
    id_column(),
    reference("task_id", "tasks"),
    sa.Column("step_index", sa.Integer, nullable=True),
    timestamp("at"),
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Index("ix_task_logs_task_id_id", "task_id", "id"),
)

# One row per (project, environment) while a deployment runs there: the unique key is what keeps
# deployments of one project to one environment one at a time, on every node.
deployment_slots = table(
    "deployment_slots",
    sa.Column("project_id", sa.Integer, primary_key=True),
    sa.Column("environment_id", sa.Integer, primary_key=True),
    reference("task_id", "tasks"),
)

work_items = table(
    "work_items",
    id_column(),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    json_column("payload"),
    timestamp("run_after"),
    sa.Column("lease_owner", sa.String(100), nullable=True),
    timestamp("lease_until", nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    # Bumped when the same key is enqueued again while leased, so completing the old run keeps the new request.
    sa.Column("generation", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    # Set by a claim that took the item from a node whose lease had expired: that node's id (else NULL).
    sa.Column("taken_over_from", sa.String(100), nullable=True),
    sa.Index("ix_work_items_run_after", "run_after"),
)

# -- approvals --------------------------------------------------------------------------------------

# A pending decision of a task (manual intervention now; guided failure and policy approvals later).
# Project, release and environment are copied at creation so lists and permission checks need no joins.
interruptions = table(
    "interruptions",
    id_column(),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(30), nullable=False),
    reference("task_id", "tasks", index=True),
    sa.Column("step_index", sa.Integer, nullable=False),
    sa.Column("step_name", sa.String(200), nullable=False),
    sa.Column("deployment_id", sa.Integer, nullable=False),
    sa.Column("project_id", sa.Integer, nullable=False),
    sa.Column("release_id", sa.Integer, nullable=False),
    sa.Column("environment", sa.String(200), nullable=False),
    sa.Column("project_name", sa.String(200), nullable=False),
    sa.Column("release_version", sa.String(100), nullable=False),
    sa.Column("deployment_url", sa.String(1000), nullable=False),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("title", sa.String(400), nullable=False, server_default=""),
    sa.Column("instructions", sa.Text, nullable=False, server_default=""),
    json_column("responsible_teams"),
    sa.Column("links_require_sign_in", sa.Boolean, nullable=False, server_default=sa.false()),
    reference("requested_by", "users", on_delete=None, nullable=True),
    sa.Column("allow_self_approval", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("content_hash", sa.String(64), nullable=False),
    timestamp("created_at"),
    reference("taken_by", "users", on_delete=None, nullable=True),
    timestamp("taken_at", nullable=True),
    sa.Column("result", sa.String(20), nullable=True),
    sa.Column("notes", sa.Text, nullable=False, server_default=""),
    reference("decided_by", "users", on_delete=None, nullable=True),
    timestamp("decided_at", nullable=True),
    sa.Column("channel", sa.String(20), nullable=True),
)

# One recipient's personal Approve or Reject link. Only the SHA-256 of the token is kept.
approval_links = table(
    "approval_links",
    id_column(),
    reference(
        "interruption_id",
        "interruptions",
        index=True,
    ),
    reference("user_id", "users"),
    sa.Column("decision", sa.String(20), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    timestamp("created_at"),
    timestamp("expires_at"),
    timestamp("opened_at", nullable=True),
    timestamp("used_at", nullable=True),
    timestamp("revoked_at", nullable=True),
)

# Outgoing emails: the durable queue (state queued), the record of what was sent, and the outbox (kept)
# when no SMTP server is configured. Bodies are encrypted: an approval email carries live link tokens.
emails = table(
    "emails",
    id_column(),
    sa.Column("dedupe_key", sa.String(200), nullable=False, unique=True),
    json_column("recipients"),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=True),
    sa.Column("state", sa.String(20), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text, nullable=True),
    timestamp("created_at"),
    timestamp("sent_at", nullable=True),
)

# Who did what, when and how. The actor is kept by id and name: the record outlives the user.
audit_events = table(
    "audit_events",
    id_column(),
    timestamp("at", index=True),
    sa.Column("actor_user_id", sa.Integer, nullable=True),
    sa.Column("actor", sa.String(200), nullable=False, server_default=""),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("entity", sa.String(50), nullable=False),
    sa.Column("entity_id", sa.String(50), nullable=False),
    sa.Column("channel", sa.String(20), nullable=True),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(500), nullable=True),
    json_column("details"),
    sa.Column("actor_kind", sa.String(20), nullable=False, server_default="system"),  # user, service-account, system
    sa.Column("auth", sa.String(20), nullable=True),  # how the actor was authenticated (api-key, session, link)
    sa.Column("project", sa.String(200), nullable=True),
    sa.Column("environment", sa.String(200), nullable=True),
    # The hash chain: SHA-256 over the previous event's hash and this event's canonical JSON.
    sa.Column("prev_hash", sa.String(64), nullable=False, server_default=""),
    sa.Column("hash", sa.String(64), nullable=False, server_default=""),
    sa.Index("ix_audit_events_entity", "entity", "entity_id"),
)

# The chain's head, one row: appending takes it under a row lock (PostgreSQL) or the writer lock (SQLite)
# in the same transaction as the insert, so concurrent writers queue and the chain never forks.
audit_chain_head = table(
    "audit_chain_head",
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_event_id", sa.Integer, nullable=False),
    sa.Column("last_hash", sa.String(64), nullable=False),
)

# Signed chain heads: an Ed25519 signature, by a key kept outside the database, over (event id, hash).
audit_checkpoints = table(
    "audit_checkpoints",
    id_column(),
    timestamp("at"),
    sa.Column("last_event_id", sa.Integer, nullable=False),
    sa.Column("head_hash", sa.String(64), nullable=False),
    sa.Column("key_id", sa.String(64), nullable=False),  # SHA-256 of the public key
    sa.Column("signature", sa.String(128), nullable=False),  # hex
)

# -- browser sessions -------------------------------------------------------------------------------

# A signed-in browser. The cookie holds a random token; only its SHA-256 is kept, as for API keys.
sessions = table(
    "sessions",
    id_column(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    reference("user_id", "users", index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    timestamp("created_at"),
    timestamp("expires_at", index=True),
    sa.Column("ip", sa.String(64), nullable=True),
    sa.Column("user_agent", sa.String(300), nullable=True),
    timestamp("last_seen_at", nullable=True),  # for the idle limit; None: never since sign-in
)
