"""The performance report's index (#13): facts, children and outcome scores of each case, kept
current on every save. Cases stored before this migration are indexed by
`ehdocs report reindex`.

Revision ID: 0011
Revises: 0010_casework
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010_casework"
branch_labels = None
depends_on = None


def _case_id() -> sa.Column:
    return sa.Column(
        "case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    op.create_table(
        "report_facts",
        sa.Column("id", sa.Integer, primary_key=True),
        _case_id(),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("day", sa.Integer, nullable=True),
        sa.Column("wday", sa.Integer, nullable=True),
        sa.Column("month", sa.String(7), nullable=True),
        sa.Column("value", sa.String(80), nullable=True),
    )
    op.create_index("ix_report_facts_name_day", "report_facts", ["name", "day"])
    op.create_index("ix_report_facts_case_name_day", "report_facts", ["case_id", "name", "day"])
    op.create_table(
        "report_episodes",
        sa.Column(
            "case_id",
            sa.Integer,
            sa.ForeignKey("cases.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("received", sa.Integer, nullable=True),
        sa.Column("closed", sa.Integer, nullable=True),
        sa.Column("fingerprint", sa.String(64), nullable=False, server_default=""),
    )
    op.create_index("ix_report_episodes_received", "report_episodes", ["received"])
    op.create_index("ix_report_episodes_closed", "report_episodes", ["closed"])
    op.create_table(
        "report_children",
        sa.Column("id", sa.Integer, primary_key=True),
        _case_id(),
        sa.Column("person_key", sa.String(32), nullable=False),
        sa.Column("born", sa.Integer, nullable=True),
        sa.Column("gender", sa.String(40), nullable=True),
        sa.Column("ethnicity", sa.String(40), nullable=True),
    )
    op.create_index("ix_report_children_case_id", "report_children", ["case_id"])
    op.create_index("ix_report_children_person_key", "report_children", ["person_key"])
    op.create_table(
        "report_scores",
        sa.Column("id", sa.Integer, primary_key=True),
        _case_id(),
        sa.Column("area", sa.String(40), nullable=False),
        sa.Column("first_day", sa.Integer, nullable=False),
        sa.Column("first_score", sa.Float, nullable=False),
        sa.Column("last_day", sa.Integer, nullable=False),
        sa.Column("last_score", sa.Float, nullable=False),
    )
    op.create_index("ix_report_scores_case_id", "report_scores", ["case_id"])
    op.create_index("ix_report_scores_last_day", "report_scores", ["last_day"])


def downgrade() -> None:
    op.drop_table("report_scores")
    op.drop_table("report_children")
    op.drop_table("report_episodes")
    op.drop_table("report_facts")
