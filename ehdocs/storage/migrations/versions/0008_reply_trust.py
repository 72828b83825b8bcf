"""Whom the hub may reply to: a submission's trusted reply address, how it was trusted, and why
a reply was or was not sent.

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.add_column(sa.Column("reply_to", sa.String(320), nullable=True))
        submissions.add_column(sa.Column("reply_trust", sa.String(12), nullable=True))
        submissions.add_column(sa.Column("reply_note", sa.Text, nullable=True))
        submissions.create_index("ix_submissions_reply_to", ["reply_to"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.drop_index("ix_submissions_reply_to")
        submissions.drop_column("reply_note")
        submissions.drop_column("reply_trust")
        submissions.drop_column("reply_to")
