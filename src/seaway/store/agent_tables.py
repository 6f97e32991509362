"""Polling agents: a target's registration, the work the server asks of it, and that work's log lines."""

from __future__ import annotations

import sqlalchemy as sa

from seaway.store.schema import UtcDateTime, id_column, metadata

# One per agent target: only the hash of the registration secret is kept (it is shown once, to the agent).
agents = sa.Table(
    "agents",
    metadata,
    sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("registered_at", UtcDateTime, nullable=False),
    sa.Column("last_seen_at", UtcDateTime, nullable=True),
    sa.Column("version", sa.String(100), nullable=False, server_default=""),
    sa.Column("hostname", sa.String(255), nullable=False, server_default=""),
    sa.Column("home", sa.Text, nullable=False, server_default=""),
)

# What the server asks of an agent; the row is the truth every node waits on.
agent_work = sa.Table(
    "agent_work",
    metadata,
    id_column(),
    sa.Column("target_id", sa.Integer, sa.ForeignKey("targets.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("claimed_at", UtcDateTime, nullable=True),
    sa.Column("finished_at", UtcDateTime, nullable=True),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("result", sa.JSON, nullable=True),
    # A file going to the agent (upload) or coming back from it (download), as a gzipped tar.
    sa.Column("content", sa.LargeBinary, nullable=True),
    # An id is never used twice, on SQLite too: agents keep their journal of jobs by it.
    sqlite_autoincrement=True,
)

agent_work_lines = sa.Table(
    "agent_work_lines",
    metadata,
    sa.Column("work_id", sa.Integer, sa.ForeignKey("agent_work.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),  # the line's number in the command's output, from 0
    sa.Column("level", sa.String(10), nullable=False),
    sa.Column("line", sa.Text, nullable=False),
)
