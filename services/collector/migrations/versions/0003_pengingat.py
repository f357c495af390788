"""reminders: col_reminder (one SubmissionOverdue per unit, quarter and reminder point).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("col_reminder"):
        return
    op.create_table(
        "col_reminder",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("triwulan", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(), nullable=False),
        sa.Column("jenis", sa.String(), nullable=False),
        sa.Column("missing", sa.Text(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "triwulan", "unit", "jenis"),
    )


def downgrade() -> None:
    op.drop_table("col_reminder")
