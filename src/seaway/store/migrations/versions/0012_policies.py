"""policies: approval policies, change requests (SEA-n) and their decisions

Revision ID: 0012
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_policies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("projects", sa.JSON, nullable=False),
        sa.Column("environments", sa.JSON, nullable=False),
        sa.Column("teams", sa.JSON, nullable=False),
        sa.Column("users", sa.JSON, nullable=False),
        sa.Column("minimum", sa.Integer, nullable=False),
        sa.Column("block_deployment_creator", sa.Boolean, nullable=False),
        sa.Column("quorum", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_approval_policies"),
        sa.UniqueConstraint("name_key", name="uq_approval_policies_name_key"),
    )
    op.create_table(
        "change_requests",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "deployment_id",
            sa.Integer,
            sa.ForeignKey("deployments.id", name="fk_change_requests_deployment_id_deployments", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "task_id",
            sa.Integer,
            sa.ForeignKey("tasks.id", name="fk_change_requests_task_id_tasks", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("project", sa.String(200), nullable=False),
        sa.Column("environment", sa.String(200), nullable=False),
        sa.Column("release_version", sa.String(200), nullable=False),
        sa.Column("policy", sa.JSON, nullable=False),
        sa.Column(
            "requested_by",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_change_requests_requested_by_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text, nullable=False, server_default=""),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False, server_default=""),
        sa.Column("changes", sa.JSON, nullable=False, server_default="[]"),
        sa.PrimaryKeyConstraint("id", name="pk_change_requests"),
        sa.UniqueConstraint("deployment_id", name="uq_change_requests_deployment_id"),
        sa.UniqueConstraint("task_id", name="uq_change_requests_task_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_change_requests_state", "change_requests", ["state"])
    op.create_table(
        "change_request_decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "change_request_id",
            sa.Integer,
            sa.ForeignKey(
                "change_requests.id",
                name="fk_change_request_decisions_change_request_id_change_requests",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_change_request_decisions_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("result", sa.String(10), nullable=False),
        sa.Column("notes", sa.Text, nullable=False, server_default=""),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("decided_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_request_decisions"),
        sa.UniqueConstraint("change_request_id", "user_id", name="uq_change_request_decisions_change_request_id"),
    )
    op.create_table(
        "change_request_links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "change_request_id",
            sa.Integer,
            sa.ForeignKey(
                "change_requests.id",
                name="fk_change_request_links_change_request_id_change_requests",
                ondelete="CASCADE",
            ),
            nullable=False,
        ),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_change_request_links_user_id_users", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("decision", sa.String(10), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("opened_at", UtcDateTime, nullable=True),
        sa.Column("used_at", UtcDateTime, nullable=True),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_change_request_links"),
        sa.UniqueConstraint("token_hash", name="uq_change_request_links_token_hash"),
    )
    op.create_index("ix_change_request_links_change_request_id", "change_request_links", ["change_request_id"])


def downgrade() -> None:
    op.drop_index("ix_change_request_links_change_request_id", "change_request_links")
    op.drop_table("change_request_links")
    op.drop_table("change_request_decisions")
    op.drop_index("ix_change_requests_state", "change_requests")
    op.drop_table("change_requests")
    op.drop_table("approval_policies")
