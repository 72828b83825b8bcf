"""The database: cases as their JSON interchange form, page drafts that keep raw input,
submissions to the hub, and who may see them: organisations, teams, accounts, sessions,
break-glass grants, partners' sign-in links and the audit trail."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class CaseRow(Base):
    """One family's case. `data` is the case JSON (the same format as files and exports);
    `version` goes up with every save, so a stale save is refused (optimistic locking)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    profile: Mapped[str] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)
    # Whose case it is: none while it is with the hub (before allocation).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id"), nullable=True, index=True)
    allocated_to: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True, index=True
    )
    # The fingerprint of the rows each indexer keeps for the case ({"report": …, "due": …};
    # ehdocs.storage.store.CaseIndexer): written with the case, so a save that changes none of
    # an index's rows costs that index no SQL.
    index_prints: Mapped[str | None] = mapped_column(Text, nullable=True)

    __mapper_args__ = {"version_id_col": version}


class PageDraft(Base):
    """What someone typed on one page that could not be saved into the case yet (it had
    mistakes): kept so nothing typed is lost, shown again when they come back."""

    __tablename__ = "page_drafts"
    __table_args__ = (UniqueConstraint("case_id", "page"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    page: Mapped[str] = mapped_column(String(120))  # e.g. "doc:n1:referrer"
    raw: Mapped[str] = mapped_column(Text)
    # The version of the document's form it was typed on (None: version 1, before versions
    # were recorded): an older one is migrated when read (ehdocs.storage.store).
    form_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


class UsedFormToken(Base):
    """The one-time token of a new-record form that has been saved, and the record it made:
    the same form sent again (Back, then Save) finds that record instead of making another."""

    __tablename__ = "used_form_tokens"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    record_key: Mapped[str] = mapped_column(String(40))  # e.g. "people"
    record_id: Mapped[str] = mapped_column(String(40))
    used_at: Mapped[dt.datetime] = mapped_column(default=now)


class Submission(Base):
    """One file received by the hub (a form attached to an e-mail, an upload, a file from a
    folder), or an e-mail that had no form attached. Identified by the SHA-256 of its content:
    the same file received twice is one submission. The file itself is kept content-addressed
    on disk (ehdocs.storage.blobs) until the submission has been handled."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(Integer)
    media: Mapped[str] = mapped_column(String(10))  # pdf | docx | message | other
    original_name: Mapped[str | None] = mapped_column(String(255), nullable=True)
    source: Mapped[str] = mapped_column(String(10))  # upload | file | mbox | imap | smtp
    sender: Mapped[str | None] = mapped_column(String(320), nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    received_at: Mapped[dt.datetime] = mapped_column(default=now)
    deadline_at: Mapped[dt.datetime] = mapped_column(default=now)
    # received (stored, not yet read) -> ready | refused -> accepted | dismissed; or reply
    # (an e-mail with no form answering a submission: shown on that one, never queued)
    status: Mapped[str] = mapped_column(String(12), default="received", index=True)
    kind: Mapped[str | None] = mapped_column(String(10), nullable=True)  # form | case
    form: Mapped[str | None] = mapped_column(String(40), nullable=True)
    extracted: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON
    problems: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON list
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)  # why it was refused
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True
    )
    decision: Mapped[str | None] = mapped_column(String(40), nullable=True)
    # The sender proved they own the address (a partner's single-use link, a signed-in user).
    verified_sender: Mapped[bool] = mapped_column(Boolean, default=False)
    handled_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    replied_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # Where a reply may go (ehdocs.ingest.trust): an address the hub has reason to trust, never
    # just what the message or the upload form claimed; how it was trusted; and why a reply
    # was or was not sent (shown to the adviser).
    reply_to: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    reply_trust: Mapped[str | None] = mapped_column(String(12), nullable=True)
    reply_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The same file received again after the submission was handled: how often, when last.
    sent_again: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent_again_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # A forwarded e-mail: who forwarded it, and who wrote the message they forwarded.
    forwarded_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    original_sender: Mapped[str | None] = mapped_column(String(320), nullable=True)
    # The hub submission this one answers (an e-mail replying to the hub's message, or quoting
    # its reference): a reply with no form is shown on it (status "reply"), a form sent in
    # answer is offered as a corrected version of it.
    answers_reference: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


class Organisation(Base):
    """The council, or a partner agency (a school, a GP practice, a charity) known by the
    domains of its staff's e-mail addresses."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # council | partner
    domains: Mapped[str] = mapped_column(Text, default="")  # space-separated, e.g. "nhs.net"


class Team(Base):
    """A team of the council (the hub, a locality team) that cases belong to."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(12))  # hub | locality | other
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )


class User(Base):
    """An account. Its role says what its job gives it (ehdocs.access.roles); a local account
    has a password hash and a TOTP secret, a single-sign-on account an issuer and subject.
    Accounts are disabled, never deleted, so the audit trail always names someone."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # lower case
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(24))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)  # argon2id
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_confirmed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no reuse
    oidc_issuer: Mapped[str | None] = mapped_column(String(255), nullable=True)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), nullable=True)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class TeamMember(Base):
    """A user's teams: a practitioner's team, the teams a manager manages, the hub."""

    __tablename__ = "team_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)


class UserSession(Base):
    """A signed-in session, kept on the server so that signing out (or disabling the account)
    ends it there. The cookie holds a random token; only its SHA-256 is stored. A partner
    signed in by a single-use link has an e-mail address and no account."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the token
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True, index=True)
    partner_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    # "password" (waiting for the second factor), "full"
    stage: Mapped[str] = mapped_column(String(12), default="full")
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=now)
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)


class BreakGlass(Base):
    """A manager's or hub adviser's time-limited access to a case outside their job, with the
    reason they gave: shown in the audit trail and on the data protection officer's page."""

    __tablename__ = "break_glass"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column()


class PartnerLink(Base):
    """A single-use sign-in link sent to a partner's work address; only its hash is kept."""

    __tablename__ = "partner_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column()
    used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    requested_from: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PartnerDraft(Base):
    """A partner's notification filled online, kept as typed until they send it."""

    __tablename__ = "partner_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    form: Mapped[str] = mapped_column(String(40))
    raw: Mapped[str] = mapped_column(Text)  # JSON, as typed
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


class AuditEntry(Base):
    """One thing someone did or was refused: who, when, from where, to which case and
    document, never the content. Append-only; each entry holds the SHA-256 of the one before
    it, so an edit or a deletion breaks the chain (`ehdocs audit verify`)."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=now, index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    actor: Mapped[str] = mapped_column(String(320))  # e-mail, or "anonymous" / "system"
    address: Mapped[str | None] = mapped_column(String(64), nullable=True)
    action: Mapped[str] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(12))  # ok | refused | failed
    case_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    document: Mapped[str | None] = mapped_column(String(80), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(400), nullable=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class LegalHold(Base):
    """A data protection officer's hold on a case: while it is in place (not lifted) the case is
    never disposed of, whatever the retention rules say."""

    __tablename__ = "legal_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(320))
    placed_at: Mapped[dt.datetime] = mapped_column(default=now)
    lifted_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CaseRestriction(Base):
    """A data protection officer's restriction on a case (the person's right to restriction):
    while it is in place (not lifted) the case can be read but not changed, by any way in
    (ehdocs.storage.store refuses every save). Placed and lifted with a reason."""

    __tablename__ = "case_restrictions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    placed_by: Mapped[str] = mapped_column(String(320))
    placed_at: Mapped[dt.datetime] = mapped_column(default=now)
    lifted_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    lifted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    lift_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class Disposal(Base):
    """What the retention job deleted for good: a case (by its reference), a received file, or
    a number of audit entries, links or drafts; the rule and when. No personal data. For the
    audit trail, `anchor` is the hash of the last entry deleted: the chain now starts there."""

    __tablename__ = "disposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    reference: Mapped[str | None] = mapped_column(String(40), nullable=True)
    rule: Mapped[str] = mapped_column(String(300))
    count: Mapped[int] = mapped_column(Integer, default=1)
    anchor: Mapped[str | None] = mapped_column(String(64), nullable=True)
    disposed_at: Mapped[dt.datetime] = mapped_column(default=now)


class SharedCopy(Base):
    """A copy of a document (or the whole pack) shared with one person by a secure link: only
    the link's and the one-time code's SHA-256 are kept. The link expires, opens only with a
    code sent to the same address, downloads a limited number of times, and can be revoked."""

    __tablename__ = "shared_copies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    document: Mapped[str | None] = mapped_column(String(40), nullable=True)  # None: the pack
    audience: Mapped[str] = mapped_column(String(12))  # family | professional
    recipient: Mapped[str] = mapped_column(String(320))  # lower case
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    shared_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    expires_at: Mapped[dt.datetime] = mapped_column()
    max_downloads: Mapped[int] = mapped_column(Integer, default=3)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    code_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    code_expires_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    code_tries: Mapped[int] = mapped_column(Integer, default=0)
    codes_sent: Mapped[int] = mapped_column(Integer, default=0)


# -- the performance report's index: rows kept current on every save of a case, so the report
# is computed by the database (ehdocs.report). No names: facts are dates, option values and
# agency kinds; a child is a hash (ehdocs.report.facts.person_key).


class ReportFact(Base):
    """One fact of one case (form_schemas/report/kpis.yaml `facts`): a date as a day number
    and a working-day number, and/or a value."""

    __tablename__ = "report_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    wday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    month: Mapped[str | None] = mapped_column(String(7), nullable=True)  # YYYY-MM of `day`
    value: Mapped[str | None] = mapped_column(String(80), nullable=True)

    __table_args__ = (
        # covering on PostgreSQL: the report's scans and joins read the index alone, never
        # the table (bench/bench_report.py, 50,000 cases: 1,091 ms -> 694 ms for a year)
        Index(
            "ix_report_facts_name_day",
            "name",
            "day",
            postgresql_include=["case_id", "wday", "value", "month"],
        ),
        Index(
            "ix_report_facts_name_case",
            "name",
            "case_id",
            postgresql_include=["day", "wday", "value"],
        ),
        Index("ix_report_facts_case_name_day", "case_id", "name", "day"),
    )


class ReportEpisode(Base):
    """When a case's episode began (its `received` fact) and ended (`closed`), as day numbers:
    what "open on a day" is asked of, without a subquery per case."""

    __tablename__ = "report_episodes"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    received: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    closed: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)


class ReportChild(Base):
    """A child of a case, for the reach of the service (age, gender, ethnicity) and repeat
    requests (the same `person_key` in another case)."""

    __tablename__ = "report_children"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    person_key: Mapped[str] = mapped_column(String(32), index=True)
    born: Mapped[int | None] = mapped_column(Integer, nullable=True)
    gender: Mapped[str | None] = mapped_column(String(40), nullable=True)
    ethnicity: Mapped[str | None] = mapped_column(String(40), nullable=True)


class ReportScore(Base):
    """An outcome area's first and last score in a case (the mean where several people were
    scored that day), for distance travelled."""

    __tablename__ = "report_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    area: Mapped[str] = mapped_column(String(40))
    first_day: Mapped[int] = mapped_column(Integer)
    first_score: Mapped[float] = mapped_column(Float)
    last_day: Mapped[int] = mapped_column(Integer, index=True)
    last_score: Mapped[float] = mapped_column(Float)


class CaseDueItem(Base):
    """One timescale item of a case (ehdocs.case.due), kept current on every save of the case
    (ehdocs.storage.due_rows), so My work, Team and the reminders are SQL queries."""

    __tablename__ = "case_due_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[dt.date] = mapped_column(index=True)
    met_on: Mapped[dt.date | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(12), index=True)  # as of the last save
    late_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class ReminderSent(Base):
    """One worker's daily reminder e-mail (`ehdocs remind`): at most one a day, so a scheduled
    job run twice, or run again after a failure, sends nobody the same list twice. Holds no case
    data: who, which day, how many items."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("user_id", "on_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    on_date: Mapped[dt.date] = mapped_column()
    items: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[dt.datetime] = mapped_column(default=now)
