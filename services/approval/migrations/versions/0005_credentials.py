"""credentials: apv_web_session (server-side web sessions) and apv_official.token_generation (revoked tokens)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 22:11:56.605556
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a database made from the models before migrations existed is stamped at 0001 with all of this already there
    insp = sa.inspect(op.get_bind())
    if not insp.has_table("apv_web_session"):
        op.create_table(
            "apv_web_session",
            sa.Column("id", sa.String(), nullable=False),
            sa.Column("official_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("id"),
        )
        with op.batch_alter_table("apv_web_session", schema=None) as batch_op:
            batch_op.create_index(batch_op.f("ix_apv_web_session_official_id"), ["official_id"], unique=False)
    if "token_generation" not in {c["name"] for c in insp.get_columns("apv_official")}:
        with op.batch_alter_table("apv_official", schema=None) as batch_op:
            batch_op.add_column(sa.Column("token_generation", sa.Integer(), server_default="0", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("apv_official", schema=None) as batch_op:
        batch_op.drop_column("token_generation")
    with op.batch_alter_table("apv_web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apv_web_session_official_id"))
    op.drop_table("apv_web_session")
