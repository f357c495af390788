"""a pending draft waits out a burst (issue 16 item 7): ren_pending_draft.more_expected (the recap was computed while
reports were still arriving) and waiting_since (when the period's draft first waited: drawn at the latest
LAPKIN_DRAFT_SETTLE_MAX_MS after).

A database made by `create_all` from these models before it was migrated is stamped 0001 yet already has the
columns: then they are not added again.

Revision ID: 0006_pending_burst
Revises: 0005_files
Create Date: 2026-12-07 03:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006_pending_burst"
down_revision: str | Sequence[str] | None = "0005_files"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns() -> set[str]:
    return {c["name"] for c in sa.inspect(op.get_bind()).get_columns("ren_pending_draft")}


def upgrade() -> None:
    have = _columns()
    with op.batch_alter_table("ren_pending_draft") as batch:
        if "more_expected" not in have:
            batch.add_column(sa.Column("more_expected", sa.Boolean(), server_default=sa.false(), nullable=False))
        if "waiting_since" not in have:
            batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ren_pending_draft") as batch:
        batch.drop_column("waiting_since")
        batch.drop_column("more_expected")
