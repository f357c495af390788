"""files kept in the database: apv_file, content-addressed by SHA-256, for LAPKIN_FILE_STORE=database
(shared/storage.py, docs/storage.md; issue 16 item 3). Made on SQLite as well, where it stays empty.

A database made by `create_all` from these models before it was migrated is stamped 0001 yet already has the
table: then it is not made again.

Revision ID: 0009_files
Revises: 0008
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009_files"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("apv_file"):
        return
    op.create_table(
        "apv_file",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256"),
    )


def downgrade() -> None:
    op.drop_table("apv_file")
