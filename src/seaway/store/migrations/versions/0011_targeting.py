"""targeting: a project's connectivity settings, the per-target lock one deployment at a time holds, and
machine policies

Revision ID: 0011
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0011"
down_revision = "0010"
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
    op.create_table(
        "machine_policies",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("health_check_seconds", sa.Integer, nullable=False),
        sa.Column("connectivity", sa.String(30), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_machine_policies"),
        sa.UniqueConstraint("name_key", name="uq_machine_policies_name_key"),
    )


def downgrade() -> None:
    op.drop_table("machine_policies")
    op.drop_index("ix_target_locks_task_id", "target_locks")
    op.drop_table("target_locks")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("connectivity")
