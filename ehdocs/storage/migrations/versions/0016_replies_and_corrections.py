"""The hub's view of e-mail (#16): the submission an e-mail answers (a reply with no form is
shown on it; a form sent in answer is offered as a corrected version of it).

Revision ID: 0016_replies
Revises: 0015_rights
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_replies"
down_revision = "0015_rights"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.add_column(sa.Column("answers_reference", sa.String(20), nullable=True))
        submissions.create_index("ix_submissions_answers_reference", ["answers_reference"])


def downgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.drop_index("ix_submissions_answers_reference")
        submissions.drop_column("answers_reference")
