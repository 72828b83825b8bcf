"""The performance report's rows, kept current in the transaction that saves a case.

A save changes only the rows that differ (of a few dozen), so the report never loads case
JSON: the database aggregates these rows (ehdocs.storage.kpis). `reindex` fills them for cases
stored before the index existed, or after the report's facts change.
"""

from __future__ import annotations

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ehdocs.case.model import Case
from ehdocs.report.definitions import ReportDefinition
from ehdocs.report.facts import ChildRow, FactRow, ScoreRow, case_facts
from ehdocs.schema.roles import EPISODE_END, EPISODE_START, PERSON_ETHNICITY, PERSON_GENDER
from ehdocs.storage.db import sync_rows
from ehdocs.storage.models import CaseRow, ReportChild, ReportEpisode, ReportFact, ReportScore
from ehdocs.storage.store import CaseStore, IndexRows, fingerprint


class ReportIndexer:
    """The CaseStore indexer of the performance report (ehdocs.storage.store.CaseIndexer)."""

    name = "report"

    def __init__(self, report: ReportDefinition) -> None:
        self.report = report

    def prepare(self, case: Case) -> IndexRows:
        facts = case_facts(case, self.report)

        def first(name: str) -> int | None:
            days = [f.day for f in facts.facts if f.name == name and f.day is not None]
            return min(days) if days else None

        tables = {
            ReportFact: [_fact_row(f) for f in facts.facts],
            ReportChild: [_child_row(c) for c in facts.children],
            ReportScore: [_score_row(s) for s in facts.scores],
        }
        episode = (first(EPISODE_START), first(EPISODE_END))
        # one short hash per table and one for the episode: a save rewrites only what changed
        # (adding a visit changes the facts, not the children, the scores or the episode)
        prints = [fingerprint(rows) for rows in tables.values()] + [fingerprint(episode)]
        return IndexRows(".".join(prints), (tables, episode))

    def write(self, session: Session, case_id: int, rows: IndexRows, before: str | None) -> None:
        tables, (received, closed) = rows.rows
        prints = rows.fingerprint.split(".")
        old = (before or "").split(".")
        old += [""] * (len(prints) - len(old))
        for (table, table_rows), new, was in zip(tables.items(), prints, old, strict=False):
            if new != was:
                sync_rows(session, table, case_id, [{"case_id": case_id, **r} for r in table_rows])
        if prints[-1] == old[len(prints) - 1]:
            return
        e = ReportEpisode  # columns as keys: the code names no fact (test_no_names_in_code)
        dates = {e.received: received, e.closed: closed}
        done = session.execute(update(e).where(e.case_id == case_id).values(dates))
        if not getattr(done, "rowcount", 0):
            session.execute(insert(e).values({e.case_id: case_id, **dates}))


def _fact_row(f: FactRow) -> dict[str, object]:
    value = f.value[:80] if f.value else None
    return {"name": f.name, "day": f.day, "wday": f.wday, "month": f.month,
            "value": value}  # fmt: skip


def _child_row(c: ChildRow) -> dict[str, object]:
    return {"person_key": c.person_key, "born": c.born, PERSON_GENDER: c.gender,
            PERSON_ETHNICITY: c.ethnicity}  # fmt: skip


def _score_row(s: ScoreRow) -> dict[str, object]:
    return {"area": s.area, "first_day": s.first_day,
            "first_score": s.first_score, "last_day": s.last_day,
            "last_score": s.last_score}  # fmt: skip


def reindex(store: CaseStore) -> int:
    """Rebuild every case's index rows (one transaction per case); the number of cases."""
    with store.sessions() as session:
        ids = list(session.scalars(select(CaseRow.id).order_by(CaseRow.id)))
    for case_id in ids:
        store.reindex(case_id)
    return len(ids)
