"""Case work (#13): the daily reminders sent, one per worker per day.

Revision ID: 0012_remind
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_remind"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminders_sent",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("on_date", sa.Date, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("sent_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("user_id", "on_date"),
    )
    op.create_index("ix_reminders_sent_user_id", "reminders_sent", ["user_id"])


def downgrade() -> None:
    op.drop_table("reminders_sent")
