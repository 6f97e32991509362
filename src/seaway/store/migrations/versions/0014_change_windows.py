"""change windows: a policy's windows, freezes and their overrides, what holds a queued deployment back

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("approval_policies", sa.Column("change_windows", sa.JSON, nullable=False, server_default="[]"))
    op.create_table(
        "freezes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False, server_default=""),
        sa.Column("projects", sa.JSON, nullable=False),
        sa.Column("environments", sa.JSON, nullable=False),
        sa.Column("starts_at", UtcDateTime, nullable=False),
        sa.Column("ends_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_freezes"),
        sa.UniqueConstraint("name_key", name="uq_freezes_name_key"),
    )
    op.create_table(
        "freeze_overrides",
        sa.Column(
            "deployment_id",
            sa.Integer,
            sa.ForeignKey("deployments.id", name="fk_freeze_overrides_deployment_id_deployments", ondelete="CASCADE"),
        ),
        sa.Column(
            "user_id",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_freeze_overrides_user_id_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("freezes", sa.JSON, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.PrimaryKeyConstraint("deployment_id", name="pk_freeze_overrides"),
    )
    op.create_table(
        "start_holds",
        sa.Column(
            "task_id", sa.Integer, sa.ForeignKey("tasks.id", name="fk_start_holds_task_id_tasks", ondelete="CASCADE")
        ),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("until", UtcDateTime, nullable=True),
        sa.Column("window_closes_at", UtcDateTime, nullable=True),
        sa.PrimaryKeyConstraint("task_id", name="pk_start_holds"),
    )


def downgrade() -> None:
    op.drop_table("start_holds")
    op.drop_table("freeze_overrides")
    op.drop_table("freezes")
    with op.batch_alter_table("approval_policies") as batch:
        batch.drop_column("change_windows")
