"""The built-in feed, the versions each release deploys, and external feeds."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import UtcDateTime, id_column, metadata, named_entity

# The built-in feed's files: metadata here, the bytes under the data directory by SHA-256.
packages = sa.Table(
    "packages",
    metadata,
    id_column(),
    sa.Column("package_id", sa.String(100), nullable=False),
    sa.Column("package_key", sa.String(100), nullable=False, index=True),
    sa.Column("version", sa.String(100), nullable=False),
    sa.Column("version_key", sa.String(100), nullable=False),
    sa.Column("format", sa.String(10), nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("title", sa.Text, nullable=False, server_default=""),
    sa.Column("pushed_at", UtcDateTime, nullable=False),
    sa.Column("pushed_by", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.UniqueConstraint("package_key", "version_key", name="uq_packages_package_version"),
)

# Which package versions each release deploys, so "used by" and "may it be deleted" are plain look-ups.
release_packages = sa.Table(
    "release_packages",
    metadata,
    sa.Column("release_id", sa.Integer, sa.ForeignKey("releases.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("step", sa.String(200), primary_key=True),
    sa.Column("feed", sa.String(200), nullable=False),
    sa.Column("package_key", sa.String(100), nullable=False),
    sa.Column("version_key", sa.String(100), nullable=False),
    sa.Index("ix_release_packages_package", "feed", "package_key", "version_key"),
)

feeds = sa.Table(
    "feeds",
    metadata,
    *named_entity(),
    sa.Column("type", sa.String(20), nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("username", sa.String(200), nullable=True),
    sa.Column("password", sa.Text, nullable=True),  # encrypted with the master key
)
