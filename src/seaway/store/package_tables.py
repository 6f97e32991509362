"""The built-in feed, the versions each release deploys, and external feeds."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import id_column, name_with_key, named_entity, reference, table, timestamp

# The built-in feed's files: metadata here, the bytes under the data directory by SHA-256.
packages = table(
    "packages",
    id_column(),
    sa.Column("package_id", sa.String(100), nullable=False),
    sa.Column("package_key", sa.String(100), nullable=False, index=True),
    *name_with_key("version", 100),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    timestamp("pushed_at"),
    reference("pushed_by", "users", on_delete="SET NULL", nullable=True),
    sa.UniqueConstraint("package_key", "version_key", name="uq_packages_package_version"),
)

# Which package versions each release deploys, so "used by" and "may it be deleted" are plain look-ups.
release_packages = table(
    "release_packages",
    reference("release_id", "releases", primary_key=True),
    sa.Column("step", sa.String(200), primary_key=True),
    sa.Column("feed", sa.String(200), nullable=False),
    sa.Column("package_key", sa.String(100), nullable=False),
    sa.Column("version_key", sa.String(100), nullable=False),
    sa.Index("ix_release_packages_package", "feed", "package_key", "version_key"),
)

feeds = table(
    "feeds",
    *named_entity(),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("username", sa.String(200), nullable=True),
    sa.Column("password", sa.Text, nullable=True),  # encrypted with the master key
)
