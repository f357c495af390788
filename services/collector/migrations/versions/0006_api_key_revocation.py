"""API keys can be revoked: col_api_key.revoked_at, and a hint (the key's first characters) to tell keys apart

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 22:17:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # a database made from the models before migrations existed is stamped at 0001 with these columns already there
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("col_api_key")}
    with op.batch_alter_table("col_api_key", schema=None) as batch_op:
        if "hint" not in have:
            batch_op.add_column(sa.Column("hint", sa.String(), server_default="", nullable=False))
        if "revoked_at" not in have:
            batch_op.add_column(sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("col_api_key", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("hint")
