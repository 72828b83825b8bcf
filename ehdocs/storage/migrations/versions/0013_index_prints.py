"""Case work (#13): each case row keeps the fingerprints of its index rows, so a save rewrites
only the index rows that changed (empty for existing cases: their next save compares rows),
and the episode's own fingerprint goes; the report's fact indexes cover what the report reads,
on PostgreSQL.

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
    with op.batch_alter_table("report_episodes") as batch:
        batch.drop_column("fingerprint")
    op.drop_index("ix_report_facts_name_day", table_name="report_facts")
    op.create_index(
        "ix_report_facts_name_day",
        "report_facts",
        ["name", "day"],
        postgresql_include=["case_id", "wday", "value", "month"],
    )
    op.create_index(
        "ix_report_facts_name_case",
        "report_facts",
        ["name", "case_id"],
        postgresql_include=["day", "wday", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_report_facts_name_case", table_name="report_facts")
    op.drop_index("ix_report_facts_name_day", table_name="report_facts")
    op.create_index("ix_report_facts_name_day", "report_facts", ["name", "day"])
    with op.batch_alter_table("report_episodes") as batch:
        batch.add_column(sa.Column("fingerprint", sa.String(64), nullable=False, server_default=""))
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("index_prints")
