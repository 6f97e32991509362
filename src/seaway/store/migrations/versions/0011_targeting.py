"""targeting: a project's connectivity settings, and the per-target lock one deployment at a time holds

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("connectivity", sa.JSON, nullable=False, server_default="{}"))
    op.create_table(
        "target_locks",
        sa.Column(
            "target_id",
            sa.Integer,
            sa.ForeignKey("targets.id", name="fk_target_locks_target_id_targets", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "task_id",
            sa.Integer,
            sa.ForeignKey("tasks.id", name="fk_target_locks_task_id_tasks", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("taken_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("target_id", name="pk_target_locks"),
    )
    op.create_index("ix_target_locks_task_id", "target_locks", ["task_id"])


def downgrade() -> None:
    op.drop_index("ix_target_locks_task_id", "target_locks")
    op.drop_table("target_locks")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("connectivity")
