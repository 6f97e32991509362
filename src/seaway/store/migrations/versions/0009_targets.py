"""targets: deployment targets and the accounts Seaway reaches them with

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("type", sa.String(30), nullable=False),
        sa.Column("username", sa.String(200), nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts"),
        sa.UniqueConstraint("name_key", name="uq_accounts_name_key"),
    )
    op.create_table(
        "targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("environments", sa.JSON, nullable=False),
        sa.Column("roles", sa.JSON, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("policy", sa.String(200), nullable=False),
        sa.Column("host", sa.String(255), nullable=False),
        sa.Column("port", sa.Integer, nullable=False),
        sa.Column(
            "account_id",
            sa.Integer,
            sa.ForeignKey("accounts.id", name="fk_targets_account_id_accounts", ondelete="RESTRICT"),
            nullable=False,
        ),
        sa.Column("fingerprint", sa.String(100), nullable=False, server_default=""),
        sa.Column("health", sa.String(20), nullable=False, server_default="Unknown"),
        sa.Column("health_messages", sa.JSON, nullable=False, server_default="[]"),
        sa.Column("checked_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_targets"),
        sa.UniqueConstraint("name_key", name="uq_targets_name_key"),
    )
    op.create_index("ix_targets_account_id", "targets", ["account_id"])


def downgrade() -> None:
    op.drop_index("ix_targets_account_id", "targets")
    op.drop_table("targets")
    op.drop_table("accounts")
