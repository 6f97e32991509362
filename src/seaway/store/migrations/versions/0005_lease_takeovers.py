"""lease takeovers: a work item remembers the node whose expired lease its current claim replaced

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN on both databases: no table copy, work items in flight keep their leases.
    op.add_column("work_items", sa.Column("taken_over_from", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("work_items") as batch:
        batch.drop_column("taken_over_from")
