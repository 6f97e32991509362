"""self approval: who asked for a gated deployment, and whether they may decide it themselves

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN rather than a batch copy: on SQLite, with foreign keys on, recreating
    # `interruptions` would cascade-delete every approval link that points at it. SQLite takes the
    # foreign key only inline, which Alembic's add_column does not render.
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "ALTER TABLE interruptions ADD COLUMN requested_by INTEGER "
            "CONSTRAINT fk_interruptions_requested_by_users REFERENCES users (id)"
        )
    else:
        op.add_column(
            "interruptions",
            sa.Column(
                "requested_by",
                sa.Integer(),
                sa.ForeignKey("users.id", name="fk_interruptions_requested_by_users"),
                nullable=True,
            ),
        )
    op.add_column(
        "interruptions",
        sa.Column("allow_self_approval", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    # Gates opened before this version get the same protection: their deployer is known.
    op.execute(
        "UPDATE interruptions SET requested_by = "
        "(SELECT deployments.created_by FROM deployments WHERE deployments.id = interruptions.deployment_id)"
    )


def downgrade() -> None:
    with op.batch_alter_table("interruptions", schema=None) as batch_op:
        batch_op.drop_column("allow_self_approval")
        batch_op.drop_column("requested_by")
