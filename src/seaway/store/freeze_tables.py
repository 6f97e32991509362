"""Freezes, the overrides that let one deployment through them, and what holds a queued deployment back
from starting (a freeze or a change window)."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import json_column, reference, scoped_named_entity, table, timestamp

freezes = table(
    "freezes",
    *scoped_named_entity(),
    timestamp("starts_at"),
    timestamp("ends_at"),
    json_column("tags", server_default="[]"),  # scope: project or environment tags
)

# One deployment let through every freeze, by someone holding `freeze.override`, with a reason.
freeze_overrides = table(
    "freeze_overrides",
    reference("deployment_id", "deployments", primary_key=True),
    reference("user_id", "users", on_delete="SET NULL", nullable=True),
    sa.Column("reason", sa.Text, nullable=False),
    json_column("freezes"),  # the names of the freezes that held it then
    timestamp("created_at"),
)

# Why a queued task has not started (shown on the deployment and logged once), and the close of the
# change window it was first ready in: if that passes before it starts, it is refused.
start_holds = table(
    "start_holds",
    reference("task_id", "tasks", primary_key=True),
    sa.Column("message", sa.Text, nullable=False, server_default=""),
    timestamp("until", nullable=True),
    timestamp("window_closes_at", nullable=True),
)
