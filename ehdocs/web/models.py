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
