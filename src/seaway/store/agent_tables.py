"""Polling agents: a target's registration, the work the server asks of it, and that work's log lines."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import id_column, json_column, reference, table, timestamp

# One per agent target: only the hash of the registration secret is kept (it is shown once, to the agent).
agents = table(
    "agents",
    reference("target_id", "targets", primary_key=True),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    timestamp("registered_at"),
    timestamp("last_seen_at", nullable=True),
    sa.Column("version", sa.String(100), nullable=False, server_default=""),
    sa.Column("hostname", sa.String(255), nullable=False, server_default=""),
    sa.Column("home", sa.Text, nullable=False, server_default=""),
)

# What the server asks of an agent; the row is the truth every node waits on.
agent_work = table(
    "agent_work",
    id_column(),
    reference("target_id", "targets", index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    json_column("payload"),
    sa.Column("state", sa.String(20), nullable=False),
    timestamp("created_at"),
    timestamp("claimed_at", nullable=True),
    timestamp("finished_at", nullable=True),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    json_column("result", nullable=True),
    # A file going to the agent (upload) or coming back from it (download), as a gzipped tar.
    sa.Column("content", sa.LargeBinary, nullable=True),
    # An id is never used twice, on SQLite too: agents keep their journal of jobs by it.
    sqlite_autoincrement=True,
)

agent_work_lines = table(
    "agent_work_lines",
    reference("work_id", "agent_work", primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # the line's number in the command's output, from 0
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("line", sa.Text, nullable=False),
)
