"""monthly progress: col_bulanan_submission, col_bulanan_value, col_unit_month.

A database made by `create_all` from these models before it was migrated is stamped 0001 yet already has the
tables: those that exist are not created again.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 04:48:46.822051
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "col_bulanan_submission" not in existing:
        op.create_table(
            "col_bulanan_submission",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("bulan", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(), nullable=False),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("on_time", sa.Boolean(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.PrimaryKeyConstraint("id"),
            sa.UniqueConstraint("tahun", "bulan", "unit", "revision"),
        )
        op.create_index(op.f("ix_col_bulanan_submission_tahun"), "col_bulanan_submission", ["tahun"], unique=False)
        op.create_index(op.f("ix_col_bulanan_submission_unit"), "col_bulanan_submission", ["unit"], unique=False)
    if "col_bulanan_value" not in existing:
        op.create_table(
            "col_bulanan_value",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("bulan", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(), nullable=False),
            sa.Column("indikator", sa.String(), nullable=False),
            sa.Column("nilai", sa.String(), nullable=False),
            sa.Column("keterangan", sa.String(), nullable=True),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.Column("submission_id", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("tahun", "bulan", "unit", "indikator"),
        )
    if "col_unit_month" not in existing:
        op.create_table(
            "col_unit_month",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("bulan", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(), nullable=False),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.Column("anggaran_realisasi", sa.String(), nullable=True),
            sa.Column("kendala", sa.String(), nullable=True),
            sa.Column("solusi", sa.String(), nullable=True),
            sa.Column("last_submission_id", sa.String(), nullable=True),
            sa.Column("last_received_at", sa.DateTime(timezone=True), nullable=True),
            sa.PrimaryKeyConstraint("tahun", "bulan", "unit"),
        )


def downgrade() -> None:
    op.drop_table("col_unit_month")
    op.drop_table("col_bulanan_value")
    op.drop_index(op.f("ix_col_bulanan_submission_unit"), table_name="col_bulanan_submission")
    op.drop_index(op.f("ix_col_bulanan_submission_tahun"), table_name="col_bulanan_submission")
    op.drop_table("col_bulanan_submission")
