"""final documents: apv_final_document (the renderer's DocumentPublished: the final files and their SHA-256)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 08:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("apv_final_document"):
        return
    op.create_table(
        "apv_final_document",
        sa.Column("draft_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(), nullable=False),
        sa.Column("files", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "version"),
    )


def downgrade() -> None:
    op.drop_table("apv_final_document")
