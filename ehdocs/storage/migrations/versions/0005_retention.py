"""Retention: legal holds on cases and the record of what was disposed of; on PostgreSQL the
audit trail's append-only trigger lets the retention job delete entries older than six years
(never younger: the trail is evidence) and still refuses every UPDATE and TRUNCATE.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ALLOW_OLD_DELETES = """
CREATE OR REPLACE FUNCTION ehdocs_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.at < (now() AT TIME ZONE 'UTC') - interval '6 years' THEN
            RETURN OLD;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION ehdocs_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entries is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("placed_by", sa.String(320), nullable=False),
        sa.Column("placed_at", sa.DateTime, nullable=False),
        sa.Column("lifted_by", sa.String(320), nullable=True),
        sa.Column("lifted_at", sa.DateTime, nullable=True),
        sa.Column("lift_reason", sa.Text, nullable=True),
    )
    op.create_table(
        "disposals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False, index=True),
        sa.Column("reference", sa.String(40), nullable=True),
        sa.Column("rule", sa.String(300), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("anchor", sa.String(64), nullable=True),
        sa.Column("disposed_at", sa.DateTime, nullable=False),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(ALLOW_OLD_DELETES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)
    op.drop_table("disposals")
    op.drop_table("legal_holds")
