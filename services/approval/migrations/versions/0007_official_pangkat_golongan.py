"""officials' pangkat and golongan: apv_official.pangkat, apv_official.golongan (the signature block prints them)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    have = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("apv_official")}
    with op.batch_alter_table("apv_official", schema=None) as batch_op:
        for name in ("pangkat", "golongan"):
            if name not in have:  # a database made from the models already has them
                batch_op.add_column(sa.Column(name, sa.String(), server_default="", nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("apv_official", schema=None) as batch_op:
        batch_op.drop_column("golongan")
        batch_op.drop_column("pangkat")
