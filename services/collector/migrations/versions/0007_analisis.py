"""per-indicator analysis (issue 15): penyebab, kendala, solusi, tindak_lanjut on col_current_value and
col_bulanan_value

A database made by `create_all` from these models before it was migrated is stamped 0001 yet already has the
columns: those that exist are not added again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("col_current_value", "col_bulanan_value")
COLUMNS = ("penyebab", "kendala", "solusi", "tindak_lanjut")


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in TABLES:
        have = {c["name"] for c in inspector.get_columns(table)}
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in COLUMNS:
                if column not in have:
                    batch_op.add_column(sa.Column(column, sa.Text(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in reversed(COLUMNS):
                batch_op.drop_column(column)
