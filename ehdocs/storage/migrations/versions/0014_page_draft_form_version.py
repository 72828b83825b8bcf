"""Form versions (#17): a page draft records the version of the form it was typed on, so it is
migrated when that form changes (none recorded: version 1, as every form was until then).

Revision ID: 0014_form_versions
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_form_versions"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("page_drafts") as batch:
        batch.add_column(sa.Column("form_version", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("page_drafts") as batch:
        batch.drop_column("form_version")
