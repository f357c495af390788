"""follow-ups: ren_tindak_lanjut, every disposition naming indicators (DisposisiIssued) joined with its completion
(DisposisiCompleted), for the LKIP's section "Tindak Lanjut dan Pemanfaatan Informasi Kinerja" (issue 17).

Revision ID: 0004_tindak_lanjut
Revises: 0003_quarter_recap
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004_tindak_lanjut"
down_revision: str | Sequence[str] | None = "0003_quarter_recap"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ren_tindak_lanjut",
        sa.Column("nomor", sa.String(), nullable=False),
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=True),
        sa.Column("indikator", sa.Text(), nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("dari", sa.Text(), nullable=True),
        sa.Column("kepada", sa.Text(), nullable=True),
        sa.Column("instruksi", sa.Text(), nullable=True),
        sa.Column("hasil_diharapkan", sa.Text(), nullable=True),
        sa.Column("batas_waktu", sa.String(), nullable=True),
        sa.Column("sumber", sa.String(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("selesai_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hasil", sa.Text(), nullable=True),
        sa.Column("bukti", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("nomor"),
    )
    op.create_index(op.f("ix_ren_tindak_lanjut_tahun"), "ren_tindak_lanjut", ["tahun"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_ren_tindak_lanjut_tahun"), table_name="ren_tindak_lanjut")
    op.drop_table("ren_tindak_lanjut")
