"""Initial schema: the aggregator tables and the kernel tables (outbox_message, processed_event).

The same schema `create_all` made before migrations existed: `shared.migrate.upgrade` stamps such a database
with this revision instead of creating the tables again.

Revision ID: 0001
Revises: -
Create Date: 2026-11-29 02:21:23.855074
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
        "agg_input",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(), nullable=False),
        sa.Column("values", sa.Text(), nullable=False),
        sa.Column("anggaran_realisasi", sa.String(), nullable=True),
        sa.Column("kendala", sa.String(), nullable=True),
        sa.Column("solusi", sa.String(), nullable=True),
        sa.Column("complete_on_time", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("tahun", "triwulan", "unit"),
    )
    op.create_table(
        "agg_periode",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=False),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "periode"),
    )
    op.create_table(
        "agg_pk",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("tahun"),
    )
    op.create_table(
        "agg_rekap_revision",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "periode", "revision"),
    )
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


def downgrade() -> None:
    op.drop_table("processed_event")
    op.drop_index(op.f("ix_outbox_message_published_at"), table_name="outbox_message")
    op.drop_index(op.f("ix_outbox_message_event_id"), table_name="outbox_message")
    op.drop_table("outbox_message")
    op.drop_table("agg_rekap_revision")
    op.drop_table("agg_pk")
    op.drop_table("agg_periode")
    op.drop_table("agg_input")
