"""The performance report's rows, kept current in the transaction that saves a case.

Each save replaces the case's rows (a few dozen), so the report never loads case JSON: the
database aggregates these rows (ehdocs.storage.kpis). `reindex` fills them for cases stored
before the index existed, or after the report's facts change.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ehdocs.case.model import Case
from ehdocs.report.definitions import ReportDefinition
from ehdocs.report.facts import case_facts
from ehdocs.storage.models import CaseRow, ReportChild, ReportEpisode, ReportFact, ReportScore
from ehdocs.storage.store import CaseStore

TABLES = (ReportFact, ReportChild, ReportScore, ReportEpisode)
# The facts an episode begins and ends with (form_schemas/report/kpis.yaml must define them).
EPISODE_START, EPISODE_END = "received", "closed"


class ReportIndexer:
    def __init__(self, report: ReportDefinition) -> None:
        self.report = report

    def __call__(self, session: Session, case_id: int, case: Case, force: bool = False) -> None:
        facts = case_facts(case, self.report)
        fingerprint = hashlib.sha256(repr(facts).encode()).hexdigest()
        stored = session.scalar(
            select(ReportEpisode.fingerprint).where(ReportEpisode.case_id == case_id)
        )
        if stored == fingerprint and not force:
            return
        for table in TABLES:
            session.execute(delete(table).where(table.case_id == case_id))

        def first(name: str) -> int | None:
            days = [f.day for f in facts.facts if f.name == name and f.day is not None]
            return min(days) if days else None

        session.execute(
            insert(ReportEpisode),
            [
                {
                    "case_id": case_id,
                    "received": first(EPISODE_START),
                    "closed": first(EPISODE_END),
                    "fingerprint": fingerprint,
                }
            ],
        )
        if facts.facts:
            session.execute(
                insert(ReportFact),
                [
                    {
                        "case_id": case_id,
                        "name": f.name,
                        "day": f.day,
                        "wday": f.wday,
                        "month": f.month,
                        "value": f.value[:80] if f.value else None,
                    }
                    for f in facts.facts
                ],
            )
        if facts.children:
            session.execute(
                insert(ReportChild),
                [
                    {
                        "case_id": case_id,
                        "person_key": c.person_key,
                        "born": c.born,
                        "gender": c.gender,
                        "ethnicity": c.ethnicity,
                    }
                    for c in facts.children
                ],
            )
        if facts.scores:
            session.execute(
                insert(ReportScore),
                [
                    {
                        "case_id": case_id,
                        "area": s.area,
                        "first_day": s.first_day,
                        "first_score": s.first_score,
                        "last_day": s.last_day,
                        "last_score": s.last_score,
                    }
                    for s in facts.scores
                ],
            )


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
