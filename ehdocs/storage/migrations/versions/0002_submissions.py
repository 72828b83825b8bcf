"""Submissions received by the hub.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("reference", sa.String(20), nullable=False, unique=True),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("media", sa.String(10), nullable=False),
        sa.Column("original_name", sa.String(255)),
        sa.Column("source", sa.String(10), nullable=False),
        sa.Column("sender", sa.String(320)),
        sa.Column("message_id", sa.String(255)),
        sa.Column("received_at", sa.DateTime, nullable=False),
        sa.Column("deadline_at", sa.DateTime, nullable=False),
        sa.Column("status", sa.String(12), nullable=False, index=True),
        sa.Column("kind", sa.String(10)),
        sa.Column("form", sa.String(40)),
        sa.Column("extracted", sa.Text),
        sa.Column("problems", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="SET NULL")),
        sa.Column("decision", sa.String(40)),
        sa.Column("handled_at", sa.DateTime),
        sa.Column("replied_at", sa.DateTime),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("submissions")
