"""SAKIP evaluation (issue 17): follow-ups on apv_disposisi (indikator, unit, hasil_diharapkan, sumber, hasil),
apv_disposisi_bukti (their evidence), apv_pk (the PK versions, for the quality check), apv_evaluasi and
apv_evaluasi_jawaban (the self-assessment)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _disposisi_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("indikator", sa.String(), server_default="[]", nullable=False),
        sa.Column("unit", sa.String(), nullable=True),
        sa.Column("hasil_diharapkan", sa.Text(), nullable=True),
        sa.Column("sumber", sa.String(), nullable=True),
        sa.Column("hasil", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    have = {c["name"] for c in inspector.get_columns("apv_disposisi")}
    with op.batch_alter_table("apv_disposisi", schema=None) as batch_op:
        for column in _disposisi_columns():
            if column.name not in have:  # a database made from the models already has them
                batch_op.add_column(column)
    if not inspector.has_table("apv_disposisi_bukti"):
        op.create_table(
            "apv_disposisi_bukti",
            sa.Column("disposisi_id", sa.Integer(), nullable=False),
            sa.Column("sha256", sa.String(), nullable=False),
            sa.Column("nama", sa.String(), nullable=False),
            sa.Column("media_type", sa.String(), nullable=False),
            sa.Column("size", sa.Integer(), nullable=False),
            sa.Column("uploaded_by", sa.Integer(), nullable=False),
            sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("disposisi_id", "sha256"),
        )
    if not inspector.has_table("apv_pk"):
        op.create_table(
            "apv_pk",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("body", sa.Text(), nullable=False),
            sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
            sa.PrimaryKeyConstraint("tahun", "version"),
        )
    if not inspector.has_table("apv_evaluasi"):
        op.create_table(
            "apv_evaluasi",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("state", sa.String(), nullable=False),
            sa.Column("lembar", sa.String(), nullable=False),
            sa.Column("nilai", sa.String(), nullable=True),
            sa.Column("predikat", sa.String(), nullable=True),
            sa.Column("rincian", sa.Text(), nullable=True),
            sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
            sa.Column("closed_by", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("tahun"),
        )
    if not inspector.has_table("apv_evaluasi_jawaban"):
        op.create_table(
            "apv_evaluasi_jawaban",
            sa.Column("tahun", sa.Integer(), nullable=False),
            sa.Column("kriteria", sa.String(), nullable=False),
            sa.Column("jawaban", sa.String(), nullable=True),
            sa.Column("catatan", sa.Text(), nullable=True),
            sa.Column("bukti", sa.Text(), nullable=False),
            sa.Column("komentar", sa.Text(), nullable=True),
            sa.Column("jawaban_akhir", sa.String(), nullable=True),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_by", sa.Integer(), nullable=True),
            sa.PrimaryKeyConstraint("tahun", "kriteria"),
        )


def downgrade() -> None:
    for table in ("apv_evaluasi_jawaban", "apv_evaluasi", "apv_pk", "apv_disposisi_bukti"):
        op.drop_table(table)
    with op.batch_alter_table("apv_disposisi", schema=None) as batch_op:
        for column in reversed(_disposisi_columns()):
            batch_op.drop_column(column.name)
