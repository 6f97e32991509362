"""access: custom roles, resolved grants, service accounts, lockout, API key lifecycle, session idle limit,
and the audit log's hash chain with signed checkpoints

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from seaway.domain.audit_chain import GENESIS_HASH, event_hash
from seaway.store.tables import UtcDateTime, audit_events

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ADDED: dict[str, list[sa.Column[Any]]] = {
    "users": [
        sa.Column("service_account", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("grants", sa.JSON(), server_default=sa.text("'[]'"), nullable=False),
        sa.Column("failed_sign_ins", sa.Integer(), server_default="0", nullable=False),
        sa.Column("first_failed_sign_in_at", UtcDateTime(), nullable=True),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
    ],
    "api_keys": [
        sa.Column("prefix", sa.String(16), server_default="", nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=True),
        sa.Column("last_used_at", UtcDateTime(), nullable=True),
        sa.Column("revoked_at", UtcDateTime(), nullable=True),
    ],
    "sessions": [sa.Column("last_seen_at", UtcDateTime(), nullable=True)],
    "audit_events": [
        sa.Column("actor_kind", sa.String(20), server_default="system", nullable=False),
        sa.Column("auth", sa.String(20), nullable=True),
        sa.Column("project", sa.String(200), nullable=True),
        sa.Column("environment", sa.String(200), nullable=True),
        sa.Column("prev_hash", sa.String(64), server_default="", nullable=False),
        sa.Column("hash", sa.String(64), server_default="", nullable=False),
    ],
}


def upgrade() -> None:
    # Plain ADD COLUMNs: on SQLite a batch copy of `users` would cascade-delete its keys and sessions.
    for table, columns in _ADDED.items():
        for column in columns:
            op.add_column(table, column)
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_key", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("name_key", name=op.f("uq_roles_name_key")),
    )
    op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoints")),
    )
    _chain_existing_events()


def _chain_existing_events() -> None:
    """Chain the events recorded before the chain existed, in id order, with the hash the code appends with,
    and start the head on the last of them. An event that names a user was a user's (service accounts did not
    exist yet)."""
    conn = op.get_bind()
    t = audit_events
    columns = [t.c[name] for name in _EVENT_COLUMNS]
    head = sa.table("audit_chain_head", sa.column("id"), sa.column("last_event_id"), sa.column("last_hash"))
    last_id, prev_hash = 0, GENESIS_HASH
    while True:
        rows = conn.execute(sa.select(*columns).where(t.c.id > last_id).order_by(t.c.id).limit(1000)).mappings().all()
        for row in rows:
            kind = "user" if row["actor_user_id"] is not None else "system"
            digest = event_hash(prev_hash, {**row, "actor_kind": kind})
            conn.execute(
                sa.update(t).where(t.c.id == row["id"]).values(actor_kind=kind, prev_hash=prev_hash, hash=digest)
            )
            last_id, prev_hash = row["id"], digest
        if len(rows) < 1000:
            break
    conn.execute(sa.insert(head).values(id=1, last_event_id=last_id, last_hash=prev_hash))


# The columns as this revision leaves them (the hash is computed over all but `prev_hash`, given apart).
_EVENT_COLUMNS = (
    "id", "at", "actor", "actor_user_id", "auth", "channel", "ip", "user_agent", "action", "entity",
    "entity_id", "project", "environment", "details",
)  # fmt: skip


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_chain_head")
    op.drop_table("roles")
    for table, columns in reversed(list(_ADDED.items())):
        with op.batch_alter_table(table) as batch:
            for column in reversed(columns):
                batch.drop_column(column.name)
