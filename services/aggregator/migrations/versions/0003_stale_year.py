"""coalesced recaps: agg_stale_year, a year whose recompute was left for later while more events waited.

Revision ID: 0003_stale_year
Revises: 0002
Create Date: 2026-12-01 06:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003_stale_year"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agg_stale_year",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("correlation_id", sa.String(), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("causes", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("tahun"),
    )


def downgrade() -> None:
    op.drop_table("agg_stale_year")
