"""packages: the built-in feed's files, external feeds, the versions each release deploys, channels

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from seaway.store.tables import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projects", sa.Column("channels", sa.JSON, nullable=False, server_default="[]"))
    op.add_column("projects", sa.Column("release_on_push", sa.String(200), nullable=True))
    op.add_column("releases", sa.Column("channel", sa.String(200), nullable=False, server_default="Default"))
    op.create_table(
        "packages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("package_id", sa.String(100), nullable=False),
        sa.Column("package_key", sa.String(100), nullable=False),
        sa.Column("version", sa.String(100), nullable=False),
        sa.Column("version_key", sa.String(100), nullable=False),
        sa.Column("format", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("title", sa.Text, nullable=False, server_default=""),
        sa.Column("pushed_at", UtcDateTime, nullable=False),
        sa.Column(
            "pushed_by",
            sa.Integer,
            sa.ForeignKey("users.id", name="fk_packages_pushed_by_users", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_packages"),
        sa.UniqueConstraint("package_key", "version_key", name="uq_packages_package_version"),
    )
    op.create_index("ix_packages_package_key", "packages", ["package_key"])
    op.create_index("ix_packages_sha256", "packages", ["sha256"])
    op.create_table(
        "release_packages",
        sa.Column(
            "release_id",
            sa.Integer,
            sa.ForeignKey("releases.id", name="fk_release_packages_release_id_releases", ondelete="CASCADE"),
        ),
        sa.Column("step", sa.String(200)),
        sa.Column("feed", sa.String(200), nullable=False),
        sa.Column("package_key", sa.String(100), nullable=False),
        sa.Column("version_key", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("release_id", "step", name="pk_release_packages"),
    )
    op.create_index("ix_release_packages_package", "release_packages", ["feed", "package_key", "version_key"])
    op.create_table(
        "feeds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("username", sa.String(200), nullable=True),
        sa.Column("password", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_feeds"),
        sa.UniqueConstraint("name_key", name="uq_feeds_name_key"),
    )
    # Releases made before packages recorded (step, version) pairs; now each is a full reference.
    releases = sa.table("releases", sa.column("id", sa.Integer), sa.column("packages", sa.JSON))
    conn = op.get_bind()
    for row in conn.execute(sa.select(releases.c.id, releases.c.packages)):
        if row.packages and isinstance(row.packages[0], list):
            upgraded = [{"step": step, "package_id": step, "version": version} for step, version in row.packages]
            conn.execute(releases.update().where(releases.c.id == row.id).values(packages=upgraded))


def downgrade() -> None:
    op.drop_table("feeds")
    op.drop_index("ix_release_packages_package", "release_packages")
    op.drop_table("release_packages")
    op.drop_index("ix_packages_sha256", "packages")
    op.drop_index("ix_packages_package_key", "packages")
    op.drop_table("packages")
    with op.batch_alter_table("releases") as batch:
        batch.drop_column("channel")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("release_on_push")
        batch.drop_column("channels")
