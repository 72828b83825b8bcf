"""Every read and write of a case goes through here: one place for validation on save,
optimistic locking, page drafts, and (later) access checks and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ehdocs.case.model import Case
from ehdocs.errors import AlreadySavedError, ConflictError, InvalidCaseError, NotFoundError
from ehdocs.schema import FormSet
from ehdocs.storage.models import CaseRow, PageDraft, UsedFormToken
from ehdocs.validation import Problem, dump_case, validate_case

CACHED_CASES = 256

# Called inside the transaction that writes a case, after the write is flushed: (session,
# case id, version before or None for a new case, version after). The audit trail writes its
# entry here, so a change and its audit entry are committed together or not at all.
ChangeListener = Callable[[Session, int, "int | None", int], None]


@dataclass(frozen=True)
class IndexRows:
    """What one indexer would keep for a case: its rows, and a short fingerprint of them."""

    fingerprint: str
    rows: Any


def fingerprint(rows: object) -> str:
    """A short hash of rows an indexer keeps (their repr: plain values, in order)."""
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:20]


class CaseIndexer(Protocol):
    """Keeps rows derived from a case current (the performance report's index, the timescale
    items), in the transaction that saves the case, from the case just validated. The store
    keeps each indexer's last fingerprint in the case row itself (`cases.index_prints`, written
    by the same UPDATE as the case), so a save that changes none of an indexer's rows (most
    saves: a paragraph typed) costs it no SQL at all."""

    name: str

    def prepare(self, case: Case) -> IndexRows: ...

    def write(self, session: Session, case_id: int, rows: IndexRows, before: str | None) -> None:
        """Store `rows` for the case; `before`: the fingerprint of what is stored, or None
        when unknown (a new case, or rows kept before fingerprints were)."""


@dataclass(frozen=True)
class StoredCase:
    id: int
    reference: str
    version: int
    raw: dict[str, Any]  # the case JSON
    case: Case  # the same, validated and typed
    team_id: int | None = None  # whose case it is: None while it is with the hub
    allocated_to: int | None = None  # the allocated worker's account


class CaseStore:
    def __init__(self, sessions: sessionmaker[Session], formset: FormSet) -> None:
        self.sessions = sessions
        self.formset = formset
        # Validated cases by (id, version), kept with the exact text they were read from: a
        # stored version never changes, so it need not be validated again; and a deleted
        # case's id reused by a new one (SQLite does) cannot match the old text.
        self._validated: OrderedDict[tuple[int, int], tuple[str, StoredCase]] = OrderedDict()
        self.listeners: list[ChangeListener] = []
        self.indexers: list[CaseIndexer] = []

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    def list(self, where: ColumnElement[bool] | None = None) -> list[StoredCase]:
        """Every case, or those `where` selects (the access policy's filter for a person)."""
        query = select(CaseRow).order_by(CaseRow.updated_at.desc())
        if where is not None:
            query = query.where(where)
        with self._session() as session:
            rows = session.scalars(query).all()
            return [self._stored(row) for row in rows]

    def get(self, case_id: int) -> StoredCase:
        with self._session() as session:
            row = session.get(CaseRow, case_id)
            if row is None:
                raise NotFoundError(f"There is no case {case_id}")
            return self._stored(row)

    def find(self, reference: str) -> StoredCase | None:
        with self._session() as session:
            row = session.scalar(select(CaseRow).where(CaseRow.reference == reference))
            return self._stored(row) if row else None

    def next_reference(self, today: dt.date) -> str:
        """The next free case reference of the year, EH-2026-0001 style: offered for a new
        case, and given to one the hub makes from a submission."""
        with self._session() as session:
            taken = set(session.scalars(select(CaseRow.reference)))
        number = len(taken) + 1
        while f"EH-{today.year}-{number:04d}" in taken:
            number += 1
        return f"EH-{today.year}-{number:04d}"

    def create(self, raw: dict[str, Any]) -> StoredCase:
        case = self.validated(raw)
        data = dump_case(case)
        prepared = self._prepare(case)
        row = CaseRow(
            reference=case.reference,
            profile=self.formset.profile.slug,
            data=json.dumps(data, ensure_ascii=False),
            index_prints=_prints(prepared),
        )
        try:
            with self._session() as session:
                session.add(row)
                session.flush()
                self._changed(session, row.id, None, row.version, prepared, {})
                return self._stored(row, case)
        except IntegrityError:
            raise InvalidCaseError(
                [Problem(None, "reference", "There is already a case with this reference")]
            ) from None

    def save(
        self,
        case_id: int,
        raw: dict[str, Any],
        expected_version: int,
        complete: Collection[str] = (),
        once: UsedFormToken | None = None,
        owner: tuple[int | None, int | None] | None = None,
        alongside: Callable[[Session], None] | None = None,
    ) -> StoredCase:
        """Validate and store the whole case; refuse a save based on an older version, and
        (`once`) a new-record form's token used before (AlreadySavedError). `owner`: the case's
        (team, allocated worker), set in the same transaction (an allocation or transfer);
        `alongside`: another change made in the same transaction (a hub submission taken in),
        which may raise to undo the whole save."""
        case = self.validated(raw, complete)
        data = json.dumps(dump_case(case), ensure_ascii=False)
        prepared = self._prepare(case)
        try:
            with self._session() as session:
                row = session.get(CaseRow, case_id)
                if row is None:
                    raise NotFoundError(f"There is no case {case_id}")
                if row.version != expected_version:
                    raise ConflictError(_CONFLICT)
                if once is not None:
                    used = session.get(UsedFormToken, once.token)
                    if used is not None:
                        raise AlreadySavedError(used.record_id)
                    session.add(once)
                row.data = data
                if alongside is not None:
                    alongside(session)
                if owner is not None:
                    row.team_id, row.allocated_to = owner
                before = json.loads(row.index_prints or "{}")
                if prepared:  # (a benchmark's save without indexers keeps the old prints)
                    row.index_prints = _prints(prepared)
                session.flush()  # the UPDATE checks the version again, in the database
                self._changed(session, row.id, expected_version, row.version, prepared, before)
                return self._stored(row, case)
        except StaleDataError:
            raise ConflictError(_CONFLICT) from None
        except IntegrityError:
            used = self.used_token(once.token) if once is not None else None
            if used is None:
                raise
            raise AlreadySavedError(used.record_id) from None

    def used_token(self, token: str) -> UsedFormToken | None:
        """The record a new-record form's token made, if that form was saved already."""
        with self._session() as session:
            used = session.get(UsedFormToken, token)
            if used is not None:
                session.expunge(used)
            return used

    def _prepare(self, case: Case) -> dict[str, tuple[CaseIndexer, IndexRows]]:
        return {indexer.name: (indexer, indexer.prepare(case)) for indexer in self.indexers}

    def _changed(
        self,
        session: Session,
        case_id: int,
        before: int | None,
        after: int,
        prepared: dict[str, tuple[CaseIndexer, IndexRows]],
        prints: dict[str, str],
    ) -> None:
        for listener in self.listeners:
            listener(session, case_id, before, after)
        for name, (indexer, rows) in prepared.items():
            if prints.get(name) != rows.fingerprint:
                indexer.write(session, case_id, rows, prints.get(name))

    def reindex(self, case_id: int) -> None:
        """Rewrite every indexer's rows of one case from its stored data (one transaction),
        whatever the fingerprints say: for cases stored before an index existed, or after
        what an index holds has changed."""
        case = self.get(case_id).case
        prepared = self._prepare(case)
        with self._session() as session:
            for indexer, rows in prepared.values():
                indexer.write(session, case_id, rows, None)
            session.execute(
                update(CaseRow)
                .where(CaseRow.id == case_id)
                .values(index_prints=_prints(prepared), updated_at=CaseRow.updated_at)
                .execution_options(synchronize_session=False)
            )

    def validated(self, raw: dict[str, Any], complete: Collection[str] = ()) -> Case:
        result = validate_case(raw, self.formset, complete=complete)
        if result.case is None:
            raise InvalidCaseError(result.problems)
        return result.case

    # -- page drafts: raw input kept until it can be saved -------------------------------

    def put_draft(self, case_id: int, page: str, raw: dict[str, Any]) -> None:
        with self._session() as session:
            draft = session.scalar(
                select(PageDraft).where(PageDraft.case_id == case_id, PageDraft.page == page)
            )
            text = json.dumps(raw, ensure_ascii=False)
            if draft is None:
                session.add(PageDraft(case_id=case_id, page=page, raw=text))
            else:
                draft.raw = text

    def get_draft(self, case_id: int, page: str) -> dict[str, Any] | None:
        with self._session() as session:
            draft = session.scalar(
                select(PageDraft).where(PageDraft.case_id == case_id, PageDraft.page == page)
            )
            return json.loads(draft.raw) if draft else None

    def draft_pages(self, case_id: int, prefix: str = "") -> set[str]:
        """The keys of a case's page drafts (starting with `prefix`), in one query."""
        with self._session() as session:
            pages = session.scalars(select(PageDraft.page).where(PageDraft.case_id == case_id))
            return {page for page in pages if page.startswith(prefix)}

    def drop_draft(self, case_id: int, page: str) -> None:
        with self._session() as session:
            draft = session.scalar(
                select(PageDraft).where(PageDraft.case_id == case_id, PageDraft.page == page)
            )
            if draft is not None:
                session.delete(draft)

    def _stored(self, row: CaseRow, case: Case | None = None) -> StoredCase:
        key = (row.id, row.version)
        found = self._validated.get(key)
        if (
            found is not None
            and found[0] == row.data
            and (found[1].team_id, found[1].allocated_to) == (row.team_id, row.allocated_to)
        ):
            self._validated.move_to_end(key)
            return found[1]
        raw = json.loads(row.data)
        if case is None:
            result = validate_case(raw, self.formset)
            if result.case is None:  # stored data is valid; a schema change could break it
                raise InvalidCaseError(result.problems)
            case = result.case
        stored = StoredCase(
            row.id, row.reference, row.version, raw, case, row.team_id, row.allocated_to
        )
        self._validated[key] = (row.data, stored)
        while len(self._validated) > CACHED_CASES:
            self._validated.popitem(last=False)
        return stored


def _prints(prepared: dict[str, tuple[CaseIndexer, IndexRows]]) -> str:
    return json.dumps({name: rows.fingerprint for name, (_, rows) in prepared.items()})


_CONFLICT = (
    "Someone else saved changes to this case after you opened this page, so your "
    "changes have not been saved. Copy what you typed, then reload the page to see "
    "their changes."
)
