"""The performance report's rows, kept current in the transaction that saves a case.

Each save replaces the case's rows (a few dozen), so the report never loads case JSON: the
database aggregates these rows (ehdocs.storage.kpis). `reindex` fills them for cases stored
before the index existed, or after the report's facts change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ehdocs.case.model import Case
from ehdocs.report.definitions import ReportDefinition
from ehdocs.report.facts import ChildRow, FactRow, ScoreRow, case_facts
from ehdocs.schema.roles import EPISODE_END, EPISODE_START, PERSON_ETHNICITY, PERSON_GENDER
from ehdocs.storage.models import CaseRow, ReportChild, ReportEpisode, ReportFact, ReportScore
from ehdocs.storage.store import CaseStore

# The facts an episode begins and ends with (form_schemas/report/kpis.yaml must define them).


class ReportIndexer:
    def __init__(self, report: ReportDefinition) -> None:
        self.report = report

    def __call__(self, session: Session, case_id: int, case: Case, force: bool = False) -> None:
        facts = case_facts(case, self.report)
        parts: dict[Any, tuple[Sequence[Any], Callable[[int, Any], dict[str, object]]]] = {
            ReportFact: (facts.facts, _fact_row),
            ReportChild: (facts.children, _child_row),
            ReportScore: (facts.scores, _score_row),
        }
        # one short hash per table: a save rewrites only the tables whose rows changed
        # (adding a visit changes the facts, not the children or the scores)
        prints = {table: _hash(rows) for table, (rows, _) in parts.items()}
        fingerprint = ":".join(prints.values())
        stored = session.get(ReportEpisode, case_id)
        if stored is not None and stored.fingerprint == fingerprint and not force:
            return
        before = (stored.fingerprint if stored is not None and not force else "").split(":")
        for (table, (rows, to_row)), old in zip(parts.items(), [*before, "", "", ""], strict=False):
            if old == prints[table]:
                continue
            session.execute(delete(table).where(table.case_id == case_id))
            if rows:
                session.execute(insert(table), [to_row(case_id, row) for row in rows])

        def first(name: str) -> int | None:
            days = [f.day for f in facts.facts if f.name == name and f.day is not None]
            return min(days) if days else None

        if stored is None:
            stored = ReportEpisode(case_id=case_id)
            session.add(stored)
        stored.received = first(EPISODE_START)
        stored.closed = first(EPISODE_END)
        stored.fingerprint = fingerprint


def _hash(rows: object) -> str:
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:20]


def _fact_row(case_id: int, f: FactRow) -> dict[str, object]:
    value = f.value[:80] if f.value else None
    return {"case_id": case_id, "name": f.name, "day": f.day, "wday": f.wday,
            "month": f.month, "value": value}  # fmt: skip


def _child_row(case_id: int, c: ChildRow) -> dict[str, object]:
    return {"case_id": case_id, "person_key": c.person_key, "born": c.born,
            PERSON_GENDER: c.gender, PERSON_ETHNICITY: c.ethnicity}  # fmt: skip


def _score_row(case_id: int, s: ScoreRow) -> dict[str, object]:
    return {"case_id": case_id, "area": s.area, "first_day": s.first_day,
            "first_score": s.first_score, "last_day": s.last_day,
            "last_score": s.last_score}  # fmt: skip


def reindex(store: CaseStore, indexer: ReportIndexer) -> int:
    """Rebuild every case's rows (one transaction per case); the number of cases indexed."""
    count = 0
    with store.sessions() as session:
        ids = list(session.scalars(select(CaseRow.id).order_by(CaseRow.id)))
    for case_id in ids:
        case = store.get(case_id).case
        with store.sessions.begin() as session:
            indexer(session, case_id, case, force=True)
        count += 1
    return count
