"""Initial schema: the collector tables and the kernel tables (outbox_message, processed_event).

The same schema `create_all` made before migrations existed: `shared.migrate.upgrade` stamps such a database
with this revision instead of creating the tables again.

Revision ID: 0001
Revises: -
Create Date: 2026-11-29 02:21:23.760118
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
        "col_api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("key_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_col_api_key_key_hash"), "col_api_key", ["key_hash"], unique=True)
    op.create_index(op.f("ix_col_api_key_unit"), "col_api_key", ["unit"], unique=False)
    op.create_table(
        "col_current_value",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("indikator", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("nilai", sa.String(), nullable=False),
        sa.Column("keterangan", sa.String(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "triwulan", "indikator"),
    )
    op.create_index(op.f("ix_col_current_value_unit"), "col_current_value", ["unit"], unique=False)
    op.create_table(
        "col_idempotency",
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("caller", sa.String(), nullable=False),
        sa.Column("request_hash", sa.String(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", "caller"),
    )
    op.create_table(
        "col_periode_state",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("reopened", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "triwulan"),
    )
    op.create_table(
        "col_pk_version",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "version"),
    )
    op.create_table(
        "col_submission",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("on_time", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tahun", "triwulan", "unit", "revision", "changed"),
    )
    op.create_index(op.f("ix_col_submission_tahun"), "col_submission", ["tahun"], unique=False)
    op.create_index(op.f("ix_col_submission_unit"), "col_submission", ["unit"], unique=False)
    op.create_table(
        "col_unit",
        sa.Column("kode", sa.String(), nullable=False),
        sa.Column("nama", sa.String(), nullable=False),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("induk", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("kode"),
    )
    op.create_table(
        "col_unit_quarter",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("anggaran_realisasi", sa.String(), nullable=True),
        sa.Column("kendala", sa.String(), nullable=True),
        sa.Column("solusi", sa.String(), nullable=True),
        sa.Column("last_submission_id", sa.String(), nullable=True),
        sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tahun", "triwulan", "unit"),
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
    op.drop_table("col_unit_quarter")
    op.drop_table("col_unit")
    op.drop_index(op.f("ix_col_submission_unit"), table_name="col_submission")
    op.drop_index(op.f("ix_col_submission_tahun"), table_name="col_submission")
    op.drop_table("col_submission")
    op.drop_table("col_pk_version")
    op.drop_table("col_periode_state")
    op.drop_table("col_idempotency")
    op.drop_index(op.f("ix_col_current_value_unit"), table_name="col_current_value")
    op.drop_table("col_current_value")
    op.drop_index(op.f("ix_col_api_key_unit"), table_name="col_api_key")
    op.drop_index(op.f("ix_col_api_key_key_hash"), table_name="col_api_key")
    op.drop_table("col_api_key")
