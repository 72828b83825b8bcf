"""The database: cases as their JSON interchange form, and page drafts that keep raw input."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
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
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)


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
    # received (stored, not yet read) -> ready | refused -> accepted | dismissed
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
    handled_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    replied_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)
