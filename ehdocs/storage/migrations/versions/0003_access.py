"""Who may see what: organisations, teams, accounts, sessions, break-glass grants, partners'
sign-in links and drafts, the audit trail; each case's team and allocated worker.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("domains", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, unique=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("organisation_id", sa.Integer, sa.ForeignKey("organisations.id")),
        sa.Column("password_hash", sa.Text),
        sa.Column("totp_secret", sa.String(64)),
        sa.Column("totp_confirmed_at", sa.DateTime),
        sa.Column("totp_last_step", sa.Integer),
        sa.Column("oidc_issuer", sa.String(255)),
        sa.Column("oidc_subject", sa.String(255)),
        sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("failed_sign_ins", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_sign_in_at", sa.DateTime),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject"),
    )
    op.create_table(
        "team_members",
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("team_id", sa.Integer, sa.ForeignKey("teams.id"), primary_key=True),
    )
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), index=True),
        sa.Column("partner_email", sa.String(320)),
        sa.Column("stage", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_seen_at", sa.DateTime, nullable=False),
        sa.Column("ended_at", sa.DateTime),
        sa.Column("address", sa.String(64)),
    )
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column(
            "case_id", sa.Integer, sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "partner_links",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
        sa.Column("used_at", sa.DateTime),
        sa.Column("requested_from", sa.String(64)),
    )
    op.create_table(
        "partner_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(320), nullable=False, index=True),
        sa.Column("form", sa.String(40), nullable=False),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column(
            "submission_id", sa.Integer, sa.ForeignKey("submissions.id", ondelete="SET NULL")
        ),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False, index=True),
        sa.Column("actor_id", sa.Integer, index=True),
        sa.Column("actor", sa.String(320), nullable=False),
        sa.Column("address", sa.String(64)),
        sa.Column("action", sa.String(40), nullable=False, index=True),
        sa.Column("outcome", sa.String(12), nullable=False),
        sa.Column("case_id", sa.Integer, index=True),
        sa.Column("document", sa.String(80)),
        sa.Column("detail", sa.String(400)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    with op.batch_alter_table("cases") as cases:
        cases.add_column(sa.Column("team_id", sa.Integer))
        cases.add_column(sa.Column("allocated_to", sa.Integer))
        cases.create_foreign_key("fk_cases_team", "teams", ["team_id"], ["id"])
        cases.create_foreign_key("fk_cases_allocated_to", "users", ["allocated_to"], ["id"])
        cases.create_index("ix_cases_team_id", ["team_id"])
        cases.create_index("ix_cases_allocated_to", ["allocated_to"])
    with op.batch_alter_table("submissions") as submissions:
        submissions.add_column(
            sa.Column("verified_sender", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("submissions") as submissions:
        submissions.drop_column("verified_sender")
    with op.batch_alter_table("cases") as cases:
        cases.drop_index("ix_cases_allocated_to")
        cases.drop_index("ix_cases_team_id")
        cases.drop_constraint("fk_cases_allocated_to", type_="foreignkey")
        cases.drop_constraint("fk_cases_team", type_="foreignkey")
        cases.drop_column("allocated_to")
        cases.drop_column("team_id")
    for table in (
        "audit_entries",
        "partner_drafts",
        "partner_links",
        "break_glass",
        "user_sessions",
        "team_members",
        "users",
        "teams",
        "organisations",
    ):
        op.drop_table(table)
