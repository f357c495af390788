"""quarter recaps: ren_quarter_recap, every complete recap of a single quarter with its inputs, and
ren_document.inputs, the inputs of the recap a document shows (a semester or annual report takes its rows per
quarter from the quarter recaps of the same inputs, also after a quarter was final).

Revision ID: 0003_quarter_recap
Revises: 0002_pending_draft
Create Date: 2026-12-06 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003_quarter_recap"
down_revision: str | Sequence[str] | None = "0002_pending_draft"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ren_quarter_recap",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "periode", "revision"),
    )
    op.add_column("ren_document", sa.Column("inputs", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ren_document") as batch:
        batch.drop_column("inputs")
    op.drop_table("ren_quarter_recap")
