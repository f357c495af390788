"""Initial schema: the renderer tables and the kernel tables (outbox_message, processed_event).

The same schema `create_all` made before migrations existed: `shared.migrate.upgrade` stamps such a database
with this revision instead of creating the tables again.

Revision ID: 0001
Revises: -
Create Date: 2026-11-29 02:21:24.011374
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("stream", sa.String(), nullable=False),
        sa.Column("type", sa.String(), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_outbox_message_event_id"), "outbox_message", ["event_id"], unique=True)
    op.create_index(op.f("ix_outbox_message_published_at"), "outbox_message", ["published_at"], unique=False)
    op.create_table(
        "processed_event",
        sa.Column("consumer", sa.String(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
    )
    op.create_table(
        "ren_document",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("draft_id", sa.String(), nullable=False),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("recap_revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("sha256", sa.Text(), nullable=False),
        sa.Column("folder", sa.String(), nullable=False),
        sa.Column("rekap", sa.Text(), nullable=False),
        sa.Column("approvals", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("draft_id", "version", "status"),
    )
    op.create_index(op.f("ix_ren_document_draft_id"), "ren_document", ["draft_id"], unique=False)
    op.create_index(op.f("ix_ren_document_tahun"), "ren_document", ["tahun"], unique=False)
    op.create_table(
        "ren_pk",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tahun"),
    )


def downgrade() -> None:
    op.drop_table("ren_pk")
    op.drop_index(op.f("ix_ren_document_tahun"), table_name="ren_document")
    op.drop_index(op.f("ix_ren_document_draft_id"), table_name="ren_document")
    op.drop_table("ren_document")
    op.drop_table("processed_event")
    op.drop_index(op.f("ix_outbox_message_published_at"), table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_event_id"), table_name="outbox_message")
    op.drop_table("outbox_message")
