"""reminders: apv_pengingat (the collector's SubmissionOverdue, shown to the Sub Koordinator).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("apv_pengingat"):
        return
    op.create_table(
        "apv_pengingat",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("nama_unit", sa.String(), nullable=True),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("selesai_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("tahun", "periode", "unit", "jenis"),
    )


def downgrade() -> None:
    op.drop_table("apv_pengingat")
