"""monthly trend: agg_bulanan (each unit's newest monthly snapshot) and agg_tren (its values per indicator).

A database made by `create_all` from these models before it was migrated is stamped 0001 yet already has the
tables: those that exist are not created again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 05:02:11.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "agg_bulanan" not in existing:
        op.create_table(
            "agg_bulanan",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("bulan", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(), nullable=False),
            sa.Column("revision", sa.Integer(), nullable=False),
            sa.Column("submission_id", sa.String(), nullable=False),
            sa.Column("anggaran_realisasi", sa.String(), nullable=True),
            sa.PrimaryKeyConstraint("tahun", "bulan", "unit"),
        )
    if "agg_tren" not in existing:
        op.create_table(
            "agg_tren",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("indikator", sa.String(), nullable=False),
            sa.Column("bulan", sa.Integer(), nullable=False),
            sa.Column("unit", sa.String(), nullable=False),
            sa.Column("nilai", sa.String(), nullable=False),
            sa.PrimaryKeyConstraint("tahun", "indikator", "bulan", "unit"),
        )


def downgrade() -> None:
    op.drop_table("agg_tren")
    op.drop_table("agg_bulanan")
