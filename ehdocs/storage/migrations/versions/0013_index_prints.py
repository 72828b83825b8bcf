"""Case work (#13): each case row keeps the fingerprints of its index rows, so a save rewrites
only the index rows that changed. Empty for existing cases: their next save compares rows.

Revision ID: 0013
Revises: 0012_remind
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012_remind"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("index_prints", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("index_prints")
