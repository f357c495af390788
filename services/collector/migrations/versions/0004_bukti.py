"""evidence files: col_bukti (bukti dukung attached to a submission; the bytes live under data_dir/bukti).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("col_bukti"):
        return  # made by create_all before this database was migrated
    op.create_table(
        "col_bukti",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("submission_id", sa.String(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("indikator", sa.String(), nullable=True),
        sa.Column("keterangan", sa.String(), nullable=True),
        sa.Column("filename", sa.String(), nullable=False),
        sa.Column("content_type", sa.String(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "sha256"),
    )
    op.create_index("ix_col_bukti_periode_unit", "col_bukti", ["tahun", "triwulan", "unit"], unique=False)
    op.create_index(op.f("ix_col_bukti_submission_id"), "col_bukti", ["submission_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_col_bukti_submission_id"), table_name="col_bukti")
    op.drop_index("ix_col_bukti_periode_unit", table_name="col_bukti")
    op.drop_table("col_bukti")
