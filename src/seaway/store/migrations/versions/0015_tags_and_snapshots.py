"""tags on projects and environments, and `scope.tags` of approval policies and freezes

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

TAGGED = ("projects", "environments", "approval_policies", "freezes")


def upgrade() -> None:
    for table in TAGGED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("tags", sa.JSON, nullable=False, server_default="[]"))


def downgrade() -> None:
    for table in reversed(TAGGED):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("tags")
