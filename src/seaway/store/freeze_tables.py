"""Freezes, the overrides that let one deployment through them, and what holds a queued deployment back
from starting (a freeze or a change window)."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import UtcDateTime, metadata, reference, scoped_named_entity

freezes = sa.Table(
    "freezes",
    metadata,
    *scoped_named_entity(),
    sa.Column("starts_at", UtcDateTime, nullable=False),
    sa.Column("ends_at", UtcDateTime, nullable=False),
    sa.Column("tags", sa.JSON, nullable=False, server_default="[]"),  # scope: project or environment tags
)

# One deployment let through every freeze, by someone holding `freeze.override`, with a reason.
freeze_overrides = sa.Table(
    "freeze_overrides",
    metadata,
    reference("deployment_id", "deployments", primary_key=True),
    reference("user_id", "users", on_delete="SET NULL", nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("freezes", sa.JSON, nullable=False),  # the names of the freezes that held it then
    sa.Column("created_at", UtcDateTime, nullable=False),
)

# Why a queued task has not started (shown on the deployment and logged once), and the close of the
# change window it was first ready in: if that passes before it starts, it is refused.
start_holds = sa.Table(
    "start_holds",
    metadata,
    reference("task_id", "tasks", primary_key=True),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    sa.Column("until", UtcDateTime, nullable=True),
    sa.Column("window_closes_at", UtcDateTime, nullable=True),
)
