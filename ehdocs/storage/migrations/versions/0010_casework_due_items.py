"""Case work (#13): each case's timescale items, kept current on every save.

Revision ID: 0010_casework
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_casework"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_due_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("item", sa.String(40), nullable=False),
        sa.Column("due_on", sa.Date, nullable=False),
        sa.Column("met_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("late_reason", sa.Text, nullable=True),
    )
    op.create_index("ix_case_due_items_case_id", "case_due_items", ["case_id"])
    op.create_index("ix_case_due_items_due_on", "case_due_items", ["due_on"])
    op.create_index("ix_case_due_items_status", "case_due_items", ["status"])


def downgrade() -> None:
    op.drop_table("case_due_items")
