"""Every read and write of a case goes through here: one place for validation on save,
optimistic locking, page drafts, and (later) access checks and the audit log."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ehdocs.case.model import Case
from ehdocs.errors import AlreadySavedError, ConflictError, InvalidCaseError, NotFoundError
from ehdocs.schema import FormDefinition, FormSet
from ehdocs.schema.migrations import DocumentMigration, migrate_data, migrate_drafts
from ehdocs.storage import restrictions
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
class CaseMigration:
    """What bringing one case's drafts up to the current form versions changes."""

    case_id: int
    reference: str
    documents: tuple[DocumentMigration, ...]
    page_drafts: int  # section drafts typed on an earlier version


# Called in the transaction of `migrate_forms` for each case it changed (the audit entry).
MigrationListener = Callable[[Session, CaseMigration], None]


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
        also: ChangeListener | None = None,
        alongside: Callable[[Session], None] | None = None,
    ) -> StoredCase:
        """Validate and store the whole case; refuse a save to a restricted case
        (RestrictedError), one based on an older version, and (`once`) a new-record form's token
        used before (AlreadySavedError). `owner`: the case's (team, allocated worker), set in
        the same transaction (an allocation or transfer). `also`: called in the transaction
        before the store's listeners (a change that writes its own audit entry). `alongside`:
        another change made in the same transaction (a hub submission taken in), which may
        raise to undo the whole save."""
        case = self.validated(raw, complete, self._untouched_drafts(case_id, raw))
        data = json.dumps(dump_case(case), ensure_ascii=False)
        prepared = self._prepare(case)
        try:
            with self._session() as session:
                row = session.get(CaseRow, case_id)
                if row is None:
                    raise NotFoundError(f"There is no case {case_id}")
                # Placing a restriction raises the case's version too: a save that read the
                # case before it was placed fails the version check in the UPDATE below.
                restrictions.refuse_if_restricted(session, case_id)
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
                if also is not None:
                    also(session, row.id, expected_version, row.version)
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

    def migrate_forms(
        self, apply: bool = False, on_case: MigrationListener | None = None
    ) -> tuple[CaseMigration, ...]:
        """Every case whose drafts or page drafts were written on an earlier version of their
        form, and what moving them to the current version changes. With `apply`, stores it:
        all cases in one transaction (one case that would not validate changes none), each
        saved as a save would be (version up, index rows), `on_case` called for each."""
        found: list[CaseMigration] = []
        with self._session() as session:
            for row in session.scalars(select(CaseRow).order_by(CaseRow.id)).all():
                raw = json.loads(row.data)
                migrated, documents = migrate_drafts(raw, self.formset)
                drafts = self._outdated_drafts(session, row.id, raw, apply)
                if not documents and not drafts:
                    continue
                done = CaseMigration(row.id, row.reference, tuple(documents), drafts)
                found.append(done)
                if apply and documents:
                    self._store_migrated(session, row, migrated)
                if apply and on_case is not None:
                    session.flush()  # written first: the audit entry chains after the change
                    on_case(session, done)
        return tuple(found)

    def _outdated_drafts(
        self, session: Session, case_id: int, raw: dict[str, Any], apply: bool
    ) -> int:
        count = 0
        for doc in raw.get("documents") or []:
            form = self.formset.forms.get(str(doc.get("form")))
            if form is None or form.version == 1 or doc.get("status") != "draft":
                continue  # a completed document's page drafts keep its version, as it does
            prefix = f"doc:{doc.get('id')}"
            if apply:
                count += self._migrate_page_drafts(session, case_id, prefix, form)
                continue
            versions = session.scalars(
                select(PageDraft.form_version).where(
                    PageDraft.case_id == case_id, PageDraft.page.startswith(f"{prefix}:")
                )
            )
            count += sum(1 for v in versions if (v or 1) < form.version)
        return count

    def _store_migrated(self, session: Session, row: CaseRow, migrated: dict[str, Any]) -> None:
        try:
            # as stored data is read: a draft over a lowered limit is kept whole, not refused
            result = validate_case(migrated, self.formset, stored=True)
            if result.case is None:
                raise InvalidCaseError(result.problems)
            case = result.case
        except InvalidCaseError as exc:
            first = exc.problems[0] if exc.problems else None
            raise InvalidCaseError(
                [
                    Problem(
                        first.document if first else None,
                        first.path if first else "",
                        f"Case {row.reference} would not be valid after the migration "
                        f"({first.message if first else 'see ehdocs validate'}): nothing was "
                        "changed. Correct the form's migrations and run it again",
                    )
                ]
            ) from None
        prepared = self._prepare(case)
        before = json.loads(row.index_prints or "{}")
        version = row.version
        row.data = json.dumps(dump_case(case), ensure_ascii=False)
        if prepared:
            row.index_prints = _prints(prepared)
        session.flush()
        self._changed(session, row.id, version, row.version, prepared, before)

    def _untouched_drafts(self, case_id: int, raw: Mapping[str, Any]) -> frozenset[str]:
        """Ids of the drafts in `raw` whose data is as stored. Read from the row, not the cache
        of read cases: a caller that changed a cached case in place would otherwise make every
        draft look untouched, and its limits unchecked."""
        with self._session() as session:
            data = session.scalar(select(CaseRow.data).where(CaseRow.id == case_id))
        if data is None:
            return frozenset()
        stored, _ = migrate_drafts(json.loads(data), self.formset)
        before = {
            d.get("id"): d.get("data")
            for d in stored.get("documents", [])
            if isinstance(d, Mapping) and d.get("status") != "completed"
        }
        return frozenset(
            str(d["id"])
            for d in raw.get("documents", [])
            if isinstance(d, Mapping)
            and d.get("status") != "completed"
            and d.get("id") in before
            and before[d.get("id")] == d.get("data")
        )

    def restriction(self, case_id: int) -> tuple[str, dt.datetime] | None:
        """The reason and time of the restriction in place on the case, if any."""
        with self._session() as session:
            found = restrictions.active(session, case_id)
            return (found.reason, found.placed_at) if found is not None else None

    def validated(
        self, raw: dict[str, Any], complete: Collection[str] = (), untouched: Collection[str] = ()
    ) -> Case:
        """The case validated for saving. `untouched`: ids of drafts saved as they are stored,
        checked as the store reads them (a draft over a limit lowered since it was written
        does not stop a change elsewhere in the case; changing that draft holds it to it)."""
        result = validate_case(raw, self.formset, complete=complete, stored=frozenset(untouched))
        if result.case is None:
            raise InvalidCaseError(result.problems)
        return result.case

    # -- page drafts: raw input kept until it can be saved -------------------------------

    def put_draft(
        self, case_id: int, page: str, raw: dict[str, Any], form_version: int | None = None
    ) -> None:
        """Keep what was typed on a page; `form_version`: the version of the document's form
        it was typed on (a document section's page), so a later version migrates it."""
        with self._session() as session:
            # nothing new is kept about a restricted case, not even what was typed
            restrictions.refuse_if_restricted(session, case_id)
            draft = session.scalar(
                select(PageDraft).where(PageDraft.case_id == case_id, PageDraft.page == page)
            )
            text = json.dumps(raw, ensure_ascii=False)
            if draft is None:
                session.add(
                    PageDraft(case_id=case_id, page=page, raw=text, form_version=form_version)
                )
            else:
                draft.raw = text
                draft.form_version = form_version

    def get_draft(
        self, case_id: int, page: str, form: FormDefinition | None = None
    ) -> dict[str, Any] | None:
        """What was typed on a page and not saved yet. With the document's `form`, a draft of
        one of its sections typed on an earlier version is migrated first (with the document's
        other section drafts: a field may have moved between sections), and kept so."""
        with self._session() as session:
            draft = session.scalar(
                select(PageDraft).where(PageDraft.case_id == case_id, PageDraft.page == page)
            )
            if draft is None:
                return None
            if form is not None and (draft.form_version or 1) < form.version:
                self._migrate_page_drafts(session, case_id, page.rsplit(":", 1)[0], form)
                session.flush()
                draft = session.scalar(
                    select(PageDraft).where(PageDraft.case_id == case_id, PageDraft.page == page)
                )
                if draft is None:  # every answer on it moved to other sections
                    return None
            return dict(json.loads(draft.raw))

    def _migrate_page_drafts(
        self, session: Session, case_id: int, prefix: str, form: FormDefinition
    ) -> int:
        """Bring a document's section drafts (pages `prefix:<section>`, e.g. "doc:no1") typed
        on earlier versions up to `form`'s version. A value moved to a section with no draft
        of its own starts one, from that section's saved answers. Returns how many moved."""
        drafts = session.scalars(
            select(PageDraft).where(
                PageDraft.case_id == case_id, PageDraft.page.startswith(f"{prefix}:")
            )
        ).all()
        old = [d for d in drafts if (d.form_version or 1) < form.version]
        sections = {d.page.rsplit(":", 1)[1]: d for d in drafts}
        for version in sorted({d.form_version or 1 for d in old}):
            group = [d for d in old if (d.form_version or 1) == version]
            typed = {d.page.rsplit(":", 1)[1]: json.loads(d.raw) for d in group}
            moved = migrate_data(typed, form, version).data
            for draft in group:
                section_id = draft.page.rsplit(":", 1)[1]
                draft.form_version = form.version
                if section_id in moved:
                    draft.raw = json.dumps(moved[section_id], ensure_ascii=False)
                else:
                    session.delete(draft)
            for section_id, values in moved.items():
                if section_id in typed:
                    continue
                target = sections.get(section_id)
                if target is None:
                    saved = self._saved_section(session, case_id, prefix, section_id)
                    session.add(
                        PageDraft(
                            case_id=case_id,
                            page=f"{prefix}:{section_id}",
                            raw=json.dumps({**saved, **values}, ensure_ascii=False),
                            form_version=form.version,
                        )
                    )
                else:
                    merged = {**json.loads(target.raw), **values}
                    target.raw = json.dumps(merged, ensure_ascii=False)
        return len(old)

    def _saved_section(
        self, session: Session, case_id: int, prefix: str, section_id: str
    ) -> dict[str, Any]:
        row = session.get(CaseRow, case_id)
        raw, _ = migrate_drafts(json.loads(row.data) if row else {}, self.formset)
        doc_id = prefix.split(":", 1)[1]
        doc: dict[str, Any] = next(
            (d for d in raw.get("documents") or [] if d.get("id") == doc_id), {}
        )
        found = (doc.get("data") or {}).get(section_id)
        return dict(found) if isinstance(found, dict) else {}

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
        # A draft written on an earlier version of its form is read as the current version
        # (the next save stores it so); completed documents keep theirs.
        raw, _ = migrate_drafts(json.loads(row.data), self.formset)
        if case is None:
            # Drafts without their upper limits: one written before a limit was lowered opens
            # whole (every save checks the limits again).
            result = validate_case(raw, self.formset, stored=True)
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
