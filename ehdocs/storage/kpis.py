"""The performance report, computed by the database from the index rows (report_index.py).

Every figure is one SQL aggregate over indexed rows, on SQLite and PostgreSQL alike: dates are
day numbers and working-day numbers, so durations are subtractions. Nothing here loads a
case's JSON.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased

from ehdocs.report.definitions import KpiDef, ReportDefinition
from ehdocs.report.labels import Labels
from ehdocs.report.results import Cell, Column, KpiResult, ReportFilter
from ehdocs.schema.roles import EPISODE_END, PERSON_ETHNICITY
from ehdocs.storage.models import (
    CaseRow,
    ReportChild,
    ReportEpisode,
    ReportFact,
    ReportScore,
    Team,
    User,
)

NOT_RECORDED = "Not recorded"
# Age bands of the children's population figures councils publish (ONS mid-year estimates).
AGE_BANDS = ((5, "Under 5"), (11, "5 to 10"), (16, "11 to 15"), (18, "16 to 17"))


def compute(
    session: Session, report: ReportDefinition, labels: Labels, flt: ReportFilter
) -> list[KpiResult]:
    return [compute_one(session, report, labels, kpi, flt) for kpi in report.kpis]


def compute_one(
    session: Session, report: ReportDefinition, labels: Labels, kpi: KpiDef, flt: ReportFilter
) -> KpiResult:
    run = _Run(session, report, labels, kpi, flt)
    return {
        "count": run.count,
        "duration": run.duration,
        "open": run.open,
        "by_month": run.by_month,
        "ratio": run.ratio,
        "reach": run.children,
        "distance_travelled": run.scores,
    }[kpi.kind]()


class _Run:
    def __init__(
        self,
        session: Session,
        report: ReportDefinition,
        labels: Labels,
        kpi: KpiDef,
        flt: ReportFilter,
    ) -> None:
        self.session, self.report, self.labels, self.kpi, self.flt = (
            session,
            report,
            labels,
            kpi,
            flt,
        )
        self.lo = flt.start.toordinal()
        self.hi = flt.end.toordinal()

    # -- pieces ---------------------------------------------------------------------------

    def _cases(self, case_id: Any) -> list[ColumnElement[bool]]:
        """The join to the cases table, only when the report is filtered or split by team or
        worker: most figures need only the index rows."""
        needed = (
            self.flt.team_id is not None
            or self.flt.worker_id is not None
            or self.kpi.split in ("team", "worker")
        )
        return [CaseRow.id == case_id] if needed else []

    def _case_filter(self) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.flt.team_id is not None:
            out.append(CaseRow.team_id == self.flt.team_id)
        if self.flt.worker_id is not None:
            out.append(CaseRow.allocated_to == self.flt.worker_id)
        return out

    def _where(self, case_id: Any) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        # IN (a set the index gives once), not a subquery per case
        for name, wanted in self.kpi.where.items():
            w = aliased(ReportFact)
            cond = [w.name == name]
            if wanted != "any":
                cond.append(w.value.in_(list(wanted)))
            out.append(case_id.in_(select(w.case_id).where(*cond)))
        return out

    @staticmethod
    def _open_between(first: int, last: int) -> ColumnElement[bool]:
        """The episode was open on some day from `first` to `last`."""
        e = ReportEpisode
        return and_(e.received <= last, or_(e.closed.is_(None), e.closed >= first))

    def _group(self, fact: Any, split: str | None) -> tuple[Any, Any]:
        """(group expression, the alias joined for it or None)."""
        if split is None:
            return literal("All"), None
        if split == "month":
            return fact.month, None
        if split == "team":
            return CaseRow.team_id, None
        if split == "worker":
            return CaseRow.allocated_to, None
        if split == self.kpi.fact:
            return fact.value, None
        s = aliased(ReportFact)
        return s.value, s

    def _rows(self, grouped: Sequence[Any], split: str | None) -> list[tuple[str, Sequence[Any]]]:
        """Group keys to labels, sorted by label (months by date), "Not recorded" last."""
        names = self._names(split, [g[0] for g in grouped])
        keyed = [(g[0], names.get(g[0], NOT_RECORDED), g[1:]) for g in grouped]
        # months in date order (their keys are YYYY-MM), the rest by label; "Not recorded" last
        keyed.sort(key=lambda r: (r[1] == NOT_RECORDED, str(r[0]) if split == "month" else r[1]))
        return [(label, values) for _, label, values in keyed]

    def _names(self, split: str | None, keys: Sequence[Any]) -> Mapping[Any, str]:
        if split is None:
            return {"All": "All"}
        if split == "month":
            return {k: _month_label(k) for k in keys if k}
        if split == "team":
            ids = [k for k in keys if k is not None]
            return dict(
                self.session.execute(select(Team.id, Team.name).where(Team.id.in_(ids))).all()
            )
        if split == "worker":
            ids = [k for k in keys if k is not None]
            names: dict[Any, str] = dict(
                self.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()
            )
            names[None] = "Not allocated"
            return names
        return {k: self.labels.label(split, k) for k in keys if k is not None}

    # -- the kinds --------------------------------------------------------------------------

    def count(self) -> KpiResult:
        kpi = self.kpi
        f = aliased(ReportFact)
        group, joined = self._group(f, kpi.split)
        q = (
            select(group, func.count(f.id))
            .select_from(f)
            .where(*self._cases(f.case_id))
            .where(f.name == kpi.fact, f.day >= self.lo, f.day <= self.hi)
            .where(*self._case_filter(), *self._where(f.case_id))
        )
        if joined is not None:
            q = q.outerjoin(joined, and_(joined.case_id == f.case_id, joined.name == kpi.split))
        if kpi.repeat_within_days:
            q = q.where(self._repeat(f, kpi.repeat_within_days))
        grouped = self.session.execute(q.group_by(group)).all()
        rows = [(label, int(v[0])) for label, v in self._rows(grouped, kpi.split)]
        return KpiResult(
            kpi,
            (Column(_split_title(kpi.split), "label"), Column("Count", "count")),
            tuple(rows) or (("All", 0),),
        )

    def _repeat(self, f: Any, days: int) -> ColumnElement[bool]:
        """The request was for a child with another request in the `days` before it."""
        c1, c2 = aliased(ReportChild), aliased(ReportChild)
        e1, e2 = aliased(ReportEpisode), aliased(ReportEpisode)
        repeats = (
            select(c1.case_id)
            .join(c2, and_(c2.person_key == c1.person_key, c2.case_id != c1.case_id))
            .join(e1, e1.case_id == c1.case_id)
            .join(e2, e2.case_id == c2.case_id)
            .where(
                e1.received >= self.lo,
                e1.received <= self.hi,
                e2.received < e1.received,
                e2.received >= e1.received - days,
            )
        )
        return f.case_id.in_(repeats)

    def duration(self) -> KpiResult:
        kpi = self.kpi
        a, b = aliased(ReportFact), aliased(ReportFact)
        diff = (b.wday - a.wday) if kpi.working_days else (b.day - a.day)
        group, joined = self._group(b, kpi.split)
        within = func.sum(
            case((diff <= (kpi.target if kpi.target is not None else -1), 1), else_=0)
        )
        q = (
            select(group, func.count(b.id), func.avg(diff), within, func.max(diff))
            .select_from(b)
            .join(a, and_(a.case_id == b.case_id, a.name == kpi.start))
            .where(*self._cases(b.case_id))
            .where(b.name == kpi.end, b.day >= self.lo, b.day <= self.hi)
            .where(*self._case_filter(), *self._where(b.case_id))
        )
        if joined is not None:
            q = q.outerjoin(joined, and_(joined.case_id == b.case_id, joined.name == kpi.split))
        grouped = self.session.execute(q.group_by(group)).all()
        unit = kpi.unit
        cols = [
            Column(_split_title(kpi.split), "label"),
            Column("Cases", "count"),
            Column(f"Mean ({unit})", "number", base=1),
            Column(f"Longest ({unit})", "number", base=1),
        ]
        if kpi.target is not None:
            cols += [
                Column(f"Within {kpi.target} {unit}", "count"),
                Column(f"Within {kpi.target} {unit} (%)", "percent", base=1),
            ]
        rows: list[tuple[Cell, ...]] = []
        for label, (n, mean, inside, longest) in self._rows(grouped, kpi.split):
            row: tuple[Cell, ...] = (
                label,
                int(n),
                round(float(mean), 1) if mean is not None else None,
                int(longest) if longest is not None else None,
            )
            if kpi.target is not None:
                row += (int(inside or 0), round(100 * int(inside or 0) / int(n), 1) if n else None)
            rows.append(row)
        note = f"Target: within {kpi.target} {unit}." if kpi.target is not None else ""
        return KpiResult(kpi, tuple(cols), tuple(rows), note)

    def open(self) -> KpiResult:
        kpi = self.kpi
        e = ReportEpisode
        group, joined = self._group(e, kpi.split)
        q = (
            select(group, func.count(func.distinct(e.case_id)))
            .select_from(e)
            .where(*self._cases(e.case_id))
            .where(self._open_between(self.hi, self.hi))
            .where(*self._case_filter(), *self._where(e.case_id))
        )
        if joined is not None:
            q = q.outerjoin(joined, and_(joined.case_id == e.case_id, joined.name == kpi.split))
        if kpi.stale_facts and kpi.stale_days:
            x = aliased(ReportFact)
            recent = select(x.case_id).where(
                x.name.in_(kpi.stale_facts), x.day > self.hi - kpi.stale_days, x.day <= self.hi
            )
            q = q.where(e.case_id.not_in(recent))
        grouped = self.session.execute(q.group_by(group)).all()
        rows = [(label, int(v[0])) for label, v in self._rows(grouped, kpi.split)]
        cols = (Column(_split_title(kpi.split), "label"), Column("Open cases", "count"))
        return KpiResult(kpi, cols, tuple(rows) or (("All", 0),), f"On {self.flt.end:%-d %B %Y}.")

    def by_month(self) -> KpiResult:
        kpi = self.kpi
        rows: list[tuple[Cell, ...]] = []
        c = aliased(ReportFact)
        closures = dict(
            self.session.execute(
                select(c.month, func.count(c.id))
                .where(*self._cases(c.case_id))
                .where(c.name == EPISODE_END, c.day >= self.lo, c.day <= self.hi)
                .where(*self._case_filter())
                .group_by(c.month)
            ).all()
        )
        months = _months(self.flt.start, self.flt.end)
        e = ReportEpisode
        # one pass over the episodes open at some time in the range: a sum per month
        sums = [
            func.sum(case((self._open_between(first.toordinal(), last.toordinal()), 1), else_=0))
            for first, last in months
        ]
        opened = self.session.execute(
            select(*sums)
            .select_from(e)
            .where(*self._cases(e.case_id))
            .where(self._open_between(self.lo, self.hi), *self._case_filter())
        ).one()
        for (first, _), count in zip(months, opened, strict=True):
            rows.append((f"{first:%B %Y}", int(count or 0), int(closures.get(f"{first:%Y-%m}", 0))))
        cols = (
            Column("Month", "label"),
            Column("Open at some time in the month", "count"),
            Column("Closed in the month", "count"),
        )
        return KpiResult(kpi, cols, tuple(rows))

    def ratio(self) -> KpiResult:
        kpi = self.kpi

        def per_value(name: str | None) -> dict[Any, int]:
            x = aliased(ReportFact)
            q = (
                select(x.value, func.count(x.id))
                .where(*self._cases(x.case_id))
                .where(x.name == name, x.day >= self.lo, x.day <= self.hi, *self._case_filter())
                .group_by(x.value)
            )
            return {k: int(v) for k, v in self.session.execute(q).all()}

        part, whole = per_value(kpi.part), per_value(kpi.whole)
        names = self._names(kpi.whole, list(whole))
        rows = sorted(
            (
                (names.get(k, NOT_RECORDED), part.get(k, 0), n, round(100 * part.get(k, 0) / n, 1))
                for k, n in whole.items()
                if n
            ),
            key=lambda r: (r[0] == NOT_RECORDED, r[0]),
        )
        cols = (
            Column("Kind of agency", "label"),
            Column("Attended", "count"),
            Column("Invited", "count"),
            Column("Attended (%)", "percent", base=2),
        )
        return KpiResult(kpi, cols, tuple(rows))

    def children(self) -> KpiResult:
        kpi = self.kpi
        e = ReportEpisode
        ch = aliased(ReportChild)
        if kpi.split == "age_band":
            group: Any = _age_band(ch.born, self.flt.end)
        elif kpi.split == "gender":
            group = ch.gender
        else:
            group = ch.ethnicity
        q = (
            select(group, func.count(func.distinct(ch.person_key)))
            .select_from(e)
            .where(*self._cases(e.case_id))
            .join(ch, ch.case_id == e.case_id)
            .where(self._open_between(self.lo, self.hi))
            .where(*self._case_filter(), *self._where(e.case_id))
            .group_by(group)
        )
        grouped = self.session.execute(q).all()
        split = kpi.split or "age_band"
        if split == "age_band":
            names: Mapping[Any, str] = {k: k for k, _ in grouped if k}
        else:
            names = {k: self.labels.option_label(split, k) for k, _ in grouped if k}
        total = sum(int(n) for _, n in grouped)
        population = self.report.population.get(split, {})
        pop_total = sum(population.values())
        rows: list[tuple[Cell, ...]] = []
        for key, n in sorted(
            grouped,
            key=lambda g: (
                g[0] is None,
                _band_order(g[0]) if split == "age_band" else names.get(g[0], ""),
            ),
        ):
            label = names.get(key, NOT_RECORDED)
            row: tuple[Cell, ...] = (
                label,
                int(n),
                round(100 * int(n) / total, 1) if total else None,
            )
            if population:
                local = population.get(label) or population.get(str(key))
                row += (round(100 * local / pop_total, 1) if local and pop_total else None,)
            rows.append(row)
        cols: tuple[Column, ...] = (
            Column(_split_title(split), "label"),
            Column("Children", "count"),
            Column("Of the children served (%)", "percent", base=1),
        )
        if population:
            cols += (Column("Of the local child population (%)", "percent"),)
        return KpiResult(kpi, cols, tuple(rows), "Children in cases open at any time in the range.")

    def scores(self) -> KpiResult:
        kpi = self.kpi
        s = aliased(ReportScore)
        q = (
            select(
                s.area,
                func.count(s.id),
                func.avg(s.first_score),
                func.avg(s.last_score),
                func.avg(s.last_score - s.first_score),
            )
            .where(*self._cases(s.case_id))
            .where(
                s.last_day >= self.lo,
                s.last_day <= self.hi,
                *self._case_filter(),
                *self._where(s.case_id),
            )
            .group_by(s.area)
        )
        rows = sorted(
            (
                (
                    self.labels.option_label("outcome_area", area),
                    int(n),
                    round(float(a), 1),
                    round(float(b), 1),
                    round(float(d), 1),
                )
                for area, n, a, b, d in self.session.execute(q).all()
            ),
            key=lambda r: r[0],
        )
        cols = (
            Column("Area", "label"),
            Column("Cases", "count"),
            Column("Mean first score", "number", base=1),
            Column("Mean last score", "number", base=1),
            Column("Mean change", "number", base=1),
        )
        return KpiResult(
            kpi,
            cols,
            tuple(rows),
            "Cases whose last score falls in the range; a positive change is an improvement.",
        )


def _split_title(split: str | None) -> str:
    return {
        None: "",
        "month": "Month",
        "team": "Team",
        "worker": "Worker",
        "age_band": "Age",
        "gender": "Gender",
        PERSON_ETHNICITY: "Ethnicity",
    }.get(split, split.replace("_", " ").capitalize() if split else "")


def _month_label(key: str) -> str:
    return dt.date.fromisoformat(f"{key}-01").strftime("%B %Y")


def _months(start: dt.date, end: dt.date) -> list[tuple[dt.date, dt.date]]:
    out = []
    first = start.replace(day=1)
    while first <= end:
        nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        out.append((max(first, start), min(nxt - dt.timedelta(days=1), end)))
        first = nxt
    return out


def _years_before(day: dt.date, years: int) -> int:
    try:
        return day.replace(year=day.year - years).toordinal()
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28).toordinal()


def _age_band(born: Any, on: dt.date) -> Any:
    """The child's age band on `on`, in SQL: born after the date N years before is under N."""
    whens = [(born.is_(None), NOT_RECORDED), (born > on.toordinal(), "Unborn")]
    whens += [(born > _years_before(on, years), label) for years, label in AGE_BANDS]
    return case(*whens, else_="18 or over")


def _band_order(label: str | None) -> int:
    order = ["Unborn", *[label for _, label in AGE_BANDS], "18 or over"]
    return order.index(label) if label in order else len(order)
