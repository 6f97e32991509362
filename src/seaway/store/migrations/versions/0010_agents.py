"""agents: polling agent targets, their registrations, their work and its log lines

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing refers to `targets` yet, so SQLite may rebuild it to drop NOT NULL from account_id.
    with op.batch_alter_table("targets") as batch:
        batch.add_column(sa.Column("style", sa.String(30), nullable=False, server_default="Ssh"))
        batch.alter_column("account_id", existing_type=sa.Integer, nullable=True)
    op.create_table(
        "agents",
        sa.Column(
            "target_id",
            sa.Integer,
            sa.ForeignKey("targets.id", name="fk_agents_target_id_targets", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=False),
        sa.Column("last_seen_at", UtcDateTime, nullable=True),
        sa.Column("version", sa.String(100), nullable=False, server_default=""),
        sa.Column("hostname", sa.String(255), nullable=False, server_default=""),
        sa.Column("home", sa.Text, nullable=False, server_default=""),
        sa.PrimaryKeyConstraint("target_id", name="pk_agents"),
        sa.UniqueConstraint("secret_hash", name="uq_agents_secret_hash"),
    )
    op.create_table(
        "agent_work",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "target_id",
            sa.Integer,
            sa.ForeignKey("targets.id", name="fk_agent_work_target_id_targets", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("claimed_at", UtcDateTime, nullable=True),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("result", sa.JSON, nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agent_work"),
        sqlite_autoincrement=True,  # ids are never used twice: agents journal their jobs by id
    )
    op.create_index("ix_agent_work_target_id", "agent_work", ["target_id"])
    op.create_table(
        "agent_work_lines",
        sa.Column(
            "work_id",
            sa.Integer,
            sa.ForeignKey("agent_work.id", name="fk_agent_work_lines_work_id_agent_work", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("level", sa.String(10), nullable=False),
        sa.Column("line", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("work_id", "seq", name="pk_agent_work_lines"),
    )


def downgrade() -> None:
    op.drop_table("agent_work_lines")
    op.drop_index("ix_agent_work_target_id", "agent_work")
    op.drop_table("agent_work")
    op.drop_table("agents")
    op.execute("DELETE FROM targets WHERE style <> 'Ssh'")
    with op.batch_alter_table("targets") as batch:
        batch.alter_column("account_id", existing_type=sa.Integer, nullable=False)
        batch.drop_column("style")
