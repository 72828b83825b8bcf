"""One-time tokens of new-record forms that have been saved, so a form sent twice (Back, then
Save) makes one record.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_form_tokens",
        sa.Column("token", sa.String(64), primary_key=True),
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("record_key", sa.String(40), nullable=False),
        sa.Column("record_id", sa.String(40), nullable=False),
        sa.Column("used_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("used_form_tokens")
