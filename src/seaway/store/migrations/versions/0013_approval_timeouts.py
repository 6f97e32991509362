"""approval timeouts: a policy's timeout and reminders, and the teams a change request escalated to

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("approval_policies", sa.Column("timeout", sa.JSON, nullable=True))
    op.add_column("approval_policies", sa.Column("remind_every", sa.String(20), nullable=True))
    op.add_column("change_requests", sa.Column("escalated_teams", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("change_requests") as batch:
        batch.drop_column("escalated_teams")
    with op.batch_alter_table("approval_policies") as batch:
        batch.drop_column("remind_every")
        batch.drop_column("timeout")
