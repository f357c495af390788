"""The officials' web app: every recap revision from RekapCompleted (`apv_rekap`) and each rendered version of a
draft with its recap revision (`apv_draft_version`), so a draft page shows its recap and what changed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 02:25:46.855225
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "apv_draft_version",
        sa.Column("draft_id", sa.String(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.String(), nullable=False),
        sa.Column("recap_revision", sa.Integer(), nullable=False),
        sa.Column("rendered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("draft_id", "version"),
    )
    op.create_table(
        "apv_rekap",
        sa.Column("tahun", sa.Integer(), nullable=False),
        sa.Column("periode", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tahun", "periode", "revision"),
    )


def downgrade() -> None:
    op.drop_table("apv_rekap")
    op.drop_table("apv_draft_version")
