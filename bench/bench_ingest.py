"""Ingestion benchmark: filled notification PDFs taken in from a folder and from an mbox.

Set-up: the blank notification PDF is filled with pypdf (as tests/fillable/test_pdf_roundtrip.py
does) with 10 sets of realistic answers; each of the N files is then one of those 10 with its
first child's name and date of birth changed in place (the same byte length, so the PDF stays
whole; the visible appearance keeps the base's text, readers use the field values). Every file
is distinct. They are written to a folder and, one e-mail each (From, Reply-To, Message-ID, the
PDF attached as application/pdf), to an mbox.

Prints, measured in one run, each ingestion on a fresh data folder (EHDOCS_DATA_DIR, a fresh
SQLite database), done as `ehdocs ingest PATH` does it (ingestor_from_config, units,
receive_unit, done_receiving, process_pending, reply_pending, statuses; without the progress
bars):
  - wall seconds and files/s from the folder and from the mbox, split into receiving (finding
    the units, the e-mail, keeping the file, the submission row) and reading + checking (the
    sandboxed parser pool, Ingestor.check, the row update);
  - against bare pypdf `PdfReader(...).get_fields()` on the same files, in one process and on
    2 processes (a spawn pool, warmed first; ingestion uses a pool of min(4, CPUs) workers):
    the ratio of ingestion's files/s to each;
  - where the time goes beyond that, per file: ehdocs.ingest.parse.parse in one process (opening
    the PDF, the XFA/JavaScript check, the form's identity, the fields) and Ingestor.check on
    the parsed results (name references, the draft case, validate_case, describing problems).

    .venv/bin/python -m bench.bench_ingest [--files N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import io
import logging
import mailbox
import multiprocessing
import os
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import TextStringObject

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script too

from ehdocs.fillable import blank_form, field_map  # noqa: E402
from ehdocs.schema import load_formset  # noqa: E402

BASES = 10
CHILD = "children__children__0__child"
BIRTH = "children__children__0__child__date_of_birth"
# Equal lengths: a file's child is written over its base's child in place.
GIVEN = (
    "Amara Ethan Freya Oscar Chloe Harry Alfie Sofia Jacob Poppy Lucas Emily Rosie Aisha "
    "Bilal Hamza Leila Zofia Maria Kayla Aaron Ellie Mason Jamal Grace"
).split()  # 25 x 20 distinct names
FAMILY = (
    "Wilson Taylor Walker Hughes Morgan Cooper Bailey Turner Parker Murphy Okafor Mensah "
    "Thomas Harris Clarke Dawson Barnes Fisher Palmer Norris"
).split()
REFERRERS = [
    ("Sarah Whitfield", "Designated safeguarding lead", "Greenfield Primary School"),
    ("Tom Okonkwo", "Health visitor", "Riverside 0-19 Health Service"),
    ("Priya Sharma", "Family support worker", "Northgate Family Hub"),
    ("Mark Dempsey", "Police community support officer", "Eastshire Police"),
    ("Joanna Kowalczyk", "Pastoral lead", "St Anne's Academy"),
    ("David Ellis", "GP", "Millbrook Medical Centre"),
    ("Helen Ward", "Housing officer", "Eastshire Homes"),
    ("Yusuf Rahman", "Youth worker", "Westside Youth Project"),
    ("Claire Booth", "SENCo", "Oakfield Infant School"),
    ("Gareth Lloyd", "Early years practitioner", "Little Acorns Nursery"),
]
NEEDS = [
    ("school_attendance", "emotional_wellbeing"),
    ("early_development", "parenting"),
    ("domestic_abuse", "parental_mental_health", "housing"),
    ("behaviour", "family_conflict"),
    ("send", "young_carer"),
    ("money", "housing", "social_isolation"),
    ("exclusion", "behaviour", "child_substance_use"),
    ("parental_substance_misuse", "parenting"),
    ("self_harm", "emotional_wellbeing"),
    ("physical_health", "other"),
]
CONCERNS = [
    "Attendance has fallen to 82% this term. Mum says mornings are very difficult since the "
    "family moved.\nThe child is often tired and hungry on arrival.",
    "Speech is delayed for age and the family are isolated since moving to the area.",
    "Police attended a domestic incident last month; mum has asked for help with housing and "
    "with her low mood.",
    "Frequent arguments at home; the child has been sent out of class four times in two weeks.",
    "The child cares for a younger sibling with additional needs and is falling behind.",
    "Rent arrears and a notice to quit; the family are using the food bank.",
    "Fixed-term exclusion for fighting; concerns about cannabis use with older peers.",
    "Dad has told us he is drinking most days and is struggling with the children's routines.",
    "Disclosed self-harm to a teacher; has been referred to CAMHS but is on the waiting list.",
    "Long-term asthma poorly managed; several missed hospital appointments.",
]


def answers(base: int, formset: Any) -> dict[str, str]:
    """One base's answers: the referrer, the first child (and a second for even bases),
    one or two parents, an agency, the needs ticked, the reasons in words."""
    fmap = field_map(formset, "notification", "pdf")
    name, role, agency = REFERRERS[base]
    first, family = name.split()[0], FAMILY[base]
    values: dict[str, str] = {
        "safety__significant_harm": "/no",
        "safety__level_of_need": f"/{2 + base % 2}",
        "consent__obtained": "/yes",
        "consent__given_by": f"Lisa {family}",
        "consent__notes": "Consent given by phone; mum is happy for the hub to contact the school.",
        "referrer__name": name,
        "referrer__role": role,
        "referrer__agency": agency,
        "referrer__phone": f"01632 96{base:04d}",
        "referrer__email": f"{first.lower()}.{name.split()[-1].lower()}@example.org.uk",
        "referrer__date": f"{3 + base:02d}/02/2026",
        CHILD: child_name(base),
        BIRTH: birth_date(base),
        "children__children__0__reason_included": "The child the concerns are about.",
        "children__children__0__attendance_concern": "/yes" if base % 3 == 0 else "/no",
        "parents_carers__parents_carers__0__person": f"Lisa {family}",
        "parents_carers__parents_carers__0__relationship": "Mother",
        "parents_carers__parents_carers__0__parental_responsibility": "/yes",
        "parents_carers__parents_carers__0__lives_with_child": "/yes",
        "agencies__involved__0__professional": name,
        "agencies__involved__0__involvement": f"{role} at {agency}.",
        "agencies__existing_taf": "/no",
        "reason__concern": CONCERNS[base],
        "reason__going_well": "Mum engages well and wants support; the children are close.",
        "reason__family_wants_to_change": "Calmer mornings and help with money and housing.",
        "reason__support_tried": "School pastoral support since September; food bank referral.",
        "reason__service_requested": "Family support worker and a Team Around the Family.",
    }
    if base % 2 == 0:
        values["children__children__1__child"] = f"Noah {family}"
        values["children__children__1__child__date_of_birth"] = f"14/0{1 + base % 9}/2019"
        values["children__children__1__attendance_concern"] = "/unknown"
        values["parents_carers__parents_carers__1__person"] = f"Craig {family}"
        values["parents_carers__parents_carers__1__relationship"] = "Father"
        values["parents_carers__parents_carers__1__parental_responsibility"] = "/yes"
        values["parents_carers__parents_carers__1__lives_with_child"] = "/no"
    for need in NEEDS[base]:
        values[f"reason__presenting_needs__{need}"] = "/Yes"
    if "other" in NEEDS[base]:
        values["reason__other_need"] = "Health appointments"
    unknown = [k for k in values if k not in fmap]
    if unknown:
        raise SystemExit(f"the notification form has no fields {unknown}: update the bench")
    return values


def child_name(i: int) -> str:
    return f"{GIVEN[i % len(GIVEN)]} {FAMILY[(i // len(GIVEN)) % len(FAMILY)]}"


def birth_date(i: int) -> str:  # distinct for i < 6200 (7919 is prime)
    return (dt.date(2008, 1, 1) + dt.timedelta(days=i * 7919 % 6200)).strftime("%d/%m/%Y")


def pypdf_fill(pdf: bytes, values: dict[str, Any]) -> bytes:
    """As tests/fillable/test_pdf_roundtrip.py fills a form with pypdf."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        writer.update_page_form_field_values(None, values, auto_regenerate=True)
    finally:
        logger.setLevel(level)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_string(text: str) -> bytes:
    out = io.BytesIO()
    TextStringObject(text).write_to_stream(out)
    return out.getvalue()


def replace_once(data: bytes, old: str, new: str) -> bytes:
    before, after = pdf_string(old), pdf_string(new)
    if len(before) != len(after) or data.count(before) != 1:
        raise SystemExit(f"cannot vary {old!r} in place: update the bench")
    return data.replace(before, after)


def make_files(count: int) -> list[bytes]:
    formset = load_formset(None)
    _, blank = blank_form(formset, "notification", "pdf")
    bases = [pypdf_fill(blank, answers(b, formset)) for b in range(min(BASES, count))]
    files = []
    for i in range(count):
        b = i % len(bases)
        data = replace_once(bases[b], child_name(b), child_name(i))
        files.append(replace_once(data, birth_date(b), birth_date(i)))
    return files


def write_folder(files: list[bytes], folder: Path) -> None:
    folder.mkdir()
    for i, data in enumerate(files):
        (folder / f"notification-{i:04d}.pdf").write_bytes(data)


def write_mbox(files: list[bytes], path: Path) -> None:
    box = mailbox.mbox(path)
    box.lock()
    try:
        sent = dt.datetime(2026, 2, 3, 9, 0, tzinfo=dt.UTC)
        for i, data in enumerate(files):
            name, role, agency = REFERRERS[i % len(REFERRERS)]
            address = f"{name.split()[0].lower()}.{name.split()[-1].lower()}@example.org.uk"
            message = EmailMessage()
            message["From"] = f"{name} <{address}>"
            message["Reply-To"] = f"{agency} <referrals{i % 7}@example.org.uk>"
            message["To"] = "Early Help Hub <earlyhelp@example.gov.uk>"
            message["Subject"] = f"Early Help notification ({role})"
            message["Date"] = format_datetime(sent + dt.timedelta(minutes=7 * i))
            message["Message-ID"] = make_msgid(f"ehbench{i}", "example.org.uk")
            message.set_content("Please find attached an Early Help notification.\n\n" + name)
            message.add_attachment(
                data,
                maintype="application",
                subtype="pdf",
                filename=f"notification-{i:04d}.pdf",
            )
            box.add(message)
        box.flush()
    finally:
        box.unlock()
        box.close()


# -- baselines ------------------------------------------------------------------------------


def bare_fields(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).get_fields() or {})


def bare_one_process(files: list[bytes]) -> float:
    start = time.perf_counter()
    for data in files:
        bare_fields(data)
    return time.perf_counter() - start


def bare_pool(files: list[bytes], processes: int) -> float:
    context = multiprocessing.get_context("spawn")  # as the parser pool starts its workers
    with context.Pool(processes) as pool:
        pool.map(bare_fields, files[:processes], chunksize=1)  # started and pypdf imported
        start = time.perf_counter()
        pool.map(bare_fields, files, chunksize=1)  # one file at a time, as ingestion sends them
        return time.perf_counter() - start


# -- ingestion --------------------------------------------------------------------------------


class Clock:
    """Seconds spent in wrapped calls, by name."""

    def __init__(self) -> None:
        self.seconds: defaultdict[str, float] = defaultdict(float)
        self.calls: Counter[str] = Counter()
        self.wrapped: set[str] = set()

    def wrap(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[name] += time.perf_counter() - start
                self.calls[name] += 1

        return timed

    def on(self, owner: Any, attribute: str, name: str | None = None) -> None:
        """Time calls made through owner.attribute (an instance: its method; a module: the
        name other modules look up there). Left alone when the code has no such name any more:
        its figure then shows as n/a."""
        if hasattr(owner, attribute):
            self.wrapped.add(name or attribute)
            setattr(owner, attribute, self.wrap(name or attribute, getattr(owner, attribute)))

    def get(self, name: str) -> float | None:
        return self.seconds[name] if name in self.wrapped else None


@contextmanager
def patched(clock: Clock, *targets: tuple[Any, str, str]) -> Iterator[None]:
    saved = [(o, a, getattr(o, a)) for o, a, _ in targets if hasattr(o, a)]
    for owner, attribute, name in targets:
        clock.on(owner, attribute, name)
    try:
        yield
    finally:
        for owner, attribute, original in saved:
            setattr(owner, attribute, original)


def ingest(path: Path, data_dir: Path) -> dict[str, Any]:
    """One whole ingestion of `path` into a fresh data folder, as `ehdocs ingest PATH`."""
    from ehdocs.ingest.setup import ingestor_from_config
    from ehdocs.ingest.sources import done_receiving, receive_unit, units
    from ehdocs.storage.config import from_environment

    os.environ["EHDOCS_DATA_DIR"] = str(data_dir)
    clock = Clock()
    start = time.perf_counter()
    config = from_environment()
    with ingestor_from_config(config) as ingestor:
        opened = time.perf_counter()
        workers = ingestor.pool.size
        for attribute in ("receive_message", "receive_file", "check", "_conclude"):
            clock.on(ingestor, attribute)
        clock.on(ingestor.blobs, "put", "store")
        clock.on(ingestor.blobs, "get", "load")
        found = units([path])
        listed = time.perf_counter()
        try:
            receipts = [r for unit in found for r in receive_unit(ingestor, unit)]
        finally:
            done_receiving()  # as the CLI does: closes the mailbox kept open
        received = time.perf_counter()
        outcomes = ingestor.process_pending()
        ingestor.reply_pending()
        rows = ingestor.statuses([r.reference for r in receipts if r.new])
        processed = time.perf_counter()
    end = time.perf_counter()
    return {
        "files": len(receipts),
        "new": sum(r.new for r in receipts),
        "outcomes": len(outcomes),
        "status": Counter(f"{r.status} with problems" if r.problems else r.status for r in rows),
        "open": opened - start,
        "units": listed - opened,
        "receive": received - opened,  # finding the units too
        "process": processed - received,
        "close": end - processed,
        "wall": end - start,
        "clock": clock,
        "workers": workers,
    }


def parse_and_check(files: list[bytes]) -> dict[str, Any]:
    """What ingestion does per file beyond bare pypdf, in this one process: the parse a parser
    worker runs, then Ingestor.check on what it gave."""
    from ehdocs.fillable import read_pdf
    from ehdocs.ingest import cases, parse, service
    from ehdocs.ingest.service import Ingestor
    from ehdocs.storage.blobs import BlobStore

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # as the workers do
    parsing = Clock()
    with patched(
        parsing,
        (read_pdf, "PdfReader", "open the PDF (PdfReader)"),
        (read_pdf, "refuse_active_content", "XFA/JavaScript check"),
        (read_pdf, "_identity", "form identity"),
    ):
        start = time.perf_counter()
        results = [parse.parse(data) for data in files]
        parse_seconds = time.perf_counter() - start
    formset = load_formset(None)
    checking = Clock()
    with tempfile.TemporaryDirectory() as tmp:
        ingestor = Ingestor(None, formset, BlobStore(Path(tmp)))  # type: ignore[arg-type]
        ingestor.check(results[0])  # warm: schema caches
        checking.on(ingestor, "describe")
        with patched(
            checking,
            (service, "name_references", "name_references"),
            (cases, "new_case", "new_case (draft case)"),
            (service, "validate_case", "validate_case"),
        ):
            start = time.perf_counter()
            problems = [len(ingestor.check(r)[2]) for r in results if r["kind"] != "refused"]
            check_seconds = time.perf_counter() - start
    return {
        "parse": parse_seconds,
        "check": check_seconds,
        "parsing": parsing,
        "checking": checking,
        "kinds": Counter(r["kind"] for r in results),
        "problems": Counter(problems),
    }


# -- report -----------------------------------------------------------------------------------


def step(what: str) -> None:
    print(f"... {what} ({time.strftime('%H:%M:%S')})", file=sys.stderr, flush=True)


def part(name: str, seconds: float | None, n: int) -> None:
    if seconds is None:
        print(f"    {name:<26}   n/a")
    else:
        print(f"    {name:<26}{seconds:5.2f} s  {ms(seconds, n)}")


def ms(seconds: float, n: int) -> str:
    return f"{seconds / n * 1000:7.1f} ms/file"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=500)
    n = parser.parse_args().files
    os.environ.pop("DATABASE_URL", None)  # the fresh SQLite database under EHDOCS_DATA_DIR
    os.environ.pop("EHDOCS_SMTP_URL", None)  # no replies sent
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)

    with tempfile.TemporaryDirectory(prefix="ehdocs-bench-ingest-") as tmp:
        root = Path(tmp)
        start = time.perf_counter()
        files = make_files(n)
        filled = time.perf_counter() - start
        write_folder(files, root / "folder")
        write_mbox(files, root / "forms.mbox")
        setup = time.perf_counter() - start
        size = sum(len(f) for f in files) / n / 1024
        mbox_mb = (root / "forms.mbox").stat().st_size / 1024 / 1024
        print(
            f"{n} distinct filled notification PDFs (~{size:.0f} KB each; mbox {mbox_mb:.0f} MB) "
            f"on {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f}); set-up "
            f"{setup:.1f} s ({filled:.1f} s making the PDFs)\n",
            flush=True,
        )

        step("bare pypdf, 1 process")
        bare_1 = bare_one_process(files)
        step("bare pypdf, 2 processes")
        bare_2 = bare_pool(files, 2)
        step("ingest from the folder")
        runs = {"folder": ingest(root / "folder", root / "data-folder")}
        step("ingest from the mbox")
        runs["mbox"] = ingest(root / "forms.mbox", root / "data-mbox")
        step("parse and check in one process")
        beyond = parse_and_check(files)

    rate_1, rate_2 = n / bare_1, n / bare_2
    print(
        f"{'':<30}{'wall s':>8}{'files/s':>9}{'receive s':>11}{'read+check s':>14}"
        f"{'/bare 1p':>10}{'/bare 2p':>10}"
    )
    for source, run in runs.items():
        rate = run["files"] / run["wall"]
        print(
            f"{'ingest from ' + source:<30}{run['wall']:>8.2f}{rate:>9.1f}{run['receive']:>11.2f}"
            f"{run['process']:>14.2f}{rate / rate_1:>10.2f}{rate / rate_2:>10.2f}"
        )
    print(f"{'bare pypdf get_fields, 1 proc':<30}{bare_1:>8.2f}{rate_1:>9.1f}")
    print(f"{'bare pypdf get_fields, 2 procs':<30}{bare_2:>8.2f}{rate_2:>9.1f}")
    print("(/bare: ingestion's files/s over the baseline's; the 2-process baseline is a warmed")
    print(" spawn pool, its start not timed; ingestion's times include starting its own pool)")

    for source, run in runs.items():
        c: Clock = run["clock"]
        s, files_in = c.seconds, run["files"]
        status = ", ".join(f"{v} {k}" for k, v in sorted(run["status"].items()))
        print(
            f"\ningest from {source}: {files_in} files received ({run['new']} new), "
            f"{run['outcomes']} read and checked on {run['workers']} parser workers: {status}"
        )
        print(f"  open database (migrate)     {run['open']:7.2f} s")
        print(f"  receiving                   {run['receive']:7.2f} s  {ms(run['receive'], n)}")
        rows = s["receive_file"] - s["store"]
        outside = run["receive"] - run["units"] - s["receive_message"]
        if source == "mbox":
            mail = s["receive_message"] - s["receive_file"]
            print(f"    list the units            {run['units']:7.2f} s")
            print(f"    read each from the mbox   {outside:7.2f} s  {ms(outside, n)}")
            print(f"    parse the e-mail          {mail:7.2f} s  {ms(mail, n)}")
        else:
            outside = run["receive"] - run["units"] - s["receive_file"]
            print(f"    list the units            {run['units']:7.2f} s")
            print(f"    read each file            {outside:7.2f} s  {ms(outside, n)}")
        print(f"    store (blob, fsync)       {s['store']:7.2f} s  {ms(s['store'], n)}")
        print(f"    rows (hash, look-up, row) {rows:7.2f} s  {ms(rows, n)}")
        update = s["_conclude"] - s["check"]
        waiting = run["process"] - s["_conclude"] - s["load"]
        print(f"  reading + checking          {run['process']:7.2f} s  {ms(run['process'], n)}")
        print(f"    load the blobs            {s['load']:7.2f} s  {ms(s['load'], n)}")
        print(f"    wait for parsers, look-ups{waiting:7.2f} s  {ms(waiting, n)}")
        print(f"    Ingestor.check            {s['check']:7.2f} s  {ms(s['check'], n)}")
        print(f"    update the row            {update:7.2f} s  {ms(update, n)}")
        print(f"  close (stop the pool)       {run['close']:7.2f} s")

    parsing, checking = beyond["parsing"], beyond["checking"]
    kinds = ", ".join(f"{v} {k}" for k, v in beyond["kinds"].items())
    problems = ", ".join(
        f"{v} with {k} problem{'s' * (k != 1)}" for k, v in sorted(beyond["problems"].items())
    )
    print(f"\nper file beyond bare pypdf, in one process ({kinds}; {problems}):")
    print(f"  bare pypdf get_fields()     {bare_1:7.2f} s  {ms(bare_1, n)}")
    print(f"  parse (as a worker does)    {beyond['parse']:7.2f} s  {ms(beyond['parse'], n)}")
    parts = ("open the PDF (PdfReader)", "XFA/JavaScript check", "form identity")
    for name in parts:
        part(name, parsing.get(name), n)
    known = [parsing.get(name) for name in parts]
    if all(k is not None for k in known):
        part("the fields, the rest", beyond["parse"] - sum(k or 0 for k in known), n)
    print(f"  Ingestor.check              {beyond['check']:7.2f} s  {ms(beyond['check'], n)}")
    for name in ("name_references", "new_case (draft case)", "validate_case", "describe"):
        part(name, checking.get(name), n)
    ours = beyond["parse"] + beyond["check"]
    print(f"  parse + check / bare        {ours / bare_1:7.2f}")
    print(f"\n(load average at the end: {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
