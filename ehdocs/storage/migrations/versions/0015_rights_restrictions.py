"""Rights (#17): a data protection officer's restrictions on cases, placed and lifted with a
reason; while one is in place the case is read-only.

Revision ID: 0015_rights
Revises: 0014_form_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_rights"
down_revision = "0014_form_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "case_restrictions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("placed_by", sa.String(320), nullable=False),
        sa.Column("placed_at", sa.DateTime, nullable=False),
        sa.Column("lifted_by", sa.String(320), nullable=True),
        sa.Column("lifted_at", sa.DateTime, nullable=True),
        sa.Column("lift_reason", sa.Text, nullable=True),
    )


def downgrade() -> None:
    op.drop_table("case_restrictions")
