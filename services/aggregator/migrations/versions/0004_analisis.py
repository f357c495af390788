"""per-indicator analysis (issue 15): agg_input.analisis, the units' penyebab/kendala/solusi/tindak_lanjut per
indicator of the snapshot (JSON), which the recap lists as `analisis`.

Revision ID: 0004
Revises: 0003_stale_year
Create Date: 2026-12-06 14:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003_stale_year"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("agg_input")}
    if "analisis" not in have:  # a database made from the models before migrations existed has it
        with op.batch_alter_table("agg_input", schema=None) as batch_op:
            batch_op.add_column(sa.Column("analisis", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agg_input", schema=None) as batch_op:
        batch_op.drop_column("analisis")
