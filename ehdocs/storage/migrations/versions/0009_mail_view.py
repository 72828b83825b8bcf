"""The hub's view of e-mail (#16): the same file sent again after it was handled (how often,
when last), and a forwarded message's forwarder and original sender.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.add_column(
            sa.Column("sent_again", sa.Integer, nullable=False, server_default="0")
        )
        submissions.add_column(sa.Column("sent_again_at", sa.DateTime, nullable=True))
        submissions.add_column(sa.Column("forwarded_by", sa.String(320), nullable=True))
        submissions.add_column(sa.Column("original_sender", sa.String(320), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.drop_column("original_sender")
        submissions.drop_column("forwarded_by")
        submissions.drop_column("sent_again_at")
        submissions.drop_column("sent_again")
