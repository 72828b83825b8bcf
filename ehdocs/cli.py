"""The `ehdocs` command: validate cases, list forms, export and check schemas, summarise cases,
serve the web service, take in forms, manage accounts."""

from __future__ import annotations

import datetime as dt
import getpass
import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import Flask
from sqlalchemy import Engine, func, select

from ehdocs import storage
from ehdocs.access import accounts, demo, reminders, rights, sessions, totp
from ehdocs.access import audit as audit_trail
from ehdocs.access import letters as letter_producing
from ehdocs.access import retention as rules
from ehdocs.access.audit_search import Search
from ehdocs.access.audit_search import export as export_entries
from ehdocs.access.roles import ROLES
from ehdocs.case import rectify as rectification
from ehdocs.case.correspondence import with_letter
from ehdocs.case.generate import generate as generate_cases
from ehdocs.case.io import read_case_file, write_atomic
from ehdocs.case.jsonschema import case_json_schema
from ehdocs.case.model import Case
from ehdocs.case.seal import SealKeys
from ehdocs.case.stamps import now_local
from ehdocs.case.summary import summarise
from ehdocs.errors import EhdocsError, InvalidCaseError, NotFoundError
from ehdocs.fillable import blank_form
from ehdocs.fillable.docx import blank_docx
from ehdocs.fillable.fill import fill as fill_form
from ehdocs.fillable.pdf import blank_html
from ehdocs.fillable.view import blank_view
from ehdocs.ingest.reply import Mailer
from ehdocs.render import letters
from ehdocs.render.audience import AUDIENCES, for_audience
from ehdocs.render.cache import PartCache, default_cache_dir
from ehdocs.render.options import FORMATS, RenderOptions
from ehdocs.render.template_check import check_templates
from ehdocs.render.template_files import Templates, export_templates
from ehdocs.report import export as report_export
from ehdocs.report.labels import Labels
from ehdocs.report.results import ReportFilter
from ehdocs.schema import FormSet, load_formset
from ehdocs.schema import versions as form_versions
from ehdocs.schema.loader import default_schema_dir
from ehdocs.schema.yamlsrc import Reporter
from ehdocs.storage.attachments import attachments_folder
from ehdocs.storage.blobs import BlobStore
from ehdocs.storage.config import from_environment, received_folder
from ehdocs.storage.db import make_engine, migrate, session_factory
from ehdocs.storage.grants import grant_app_role
from ehdocs.storage.kpis import compute as compute_kpis
from ehdocs.storage.models import Team, User
from ehdocs.storage.report_index import reindex
from ehdocs.storage.sealing import seal_keys
from ehdocs.validation import ValidationResult, validate_case
from ehdocs.validation.words import in_words
from ehdocs.web import config as web_config

F = TypeVar("F", bound=Callable[..., Any])

EXIT_PROBLEMS = 1
DAY = click.DateTime(["%Y-%m-%d"])


def profile_option(command: F) -> F:
    return click.option(
        "--profile",
        envvar="EHDOCS_PROFILE",
        help="Council profile: a name under form_schemas/profiles, or a profile folder. "
        "Default: the profile the case names, else 'default'.",
    )(command)


def output_folder_option(command: F) -> F:
    return click.option(
        "-o",
        "--output",
        type=click.Path(path_type=Path),
        default=Path("output"),
        show_default=True,
        help="Folder to write to.",
    )(command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ehdocs")
def cli() -> None:
    """ehdocs: Early Help documents from one set of form definitions."""


@cli.command()
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option("--document", "document", help="Only this document (e.g. notification).")
@click.option("--complete", is_flag=True, help="Check documents fully, as if completing them.")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@profile_option
def validate(
    case_file: Path, document: str | None, complete: bool, as_json: bool, profile: str | None
) -> None:
    """Check a case file; print each problem with its place in the forms (--json: with its
    path), exit 1 if there are any."""
    raw = read_case_file(case_file)
    formset = _formset_for(raw, profile)
    if document:
        formset.form(document)  # an unknown name is an error, not an empty result
    result = validate_case(raw, formset, complete=[document] if complete and document else complete)
    problems = [
        p
        for p in result.problems
        if not document or p.document is None or p.document.split(" ")[0] == document
    ]
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in problems], indent=2))
    elif problems:
        click.echo(
            f"{case_file}: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
            "(--json gives each one's path in the case file)"
        )
        for problem in problems:
            click.echo(f"  {in_words(problem, formset, raw)}")
    else:
        click.echo(f"{case_file}: valid ({_what_was_checked(raw, document, complete)})")
    if result.warnings and not as_json:
        count = len(result.warnings)
        click.echo(f"Please check {count} thing{'s' if count != 1 else ''} (these do not stop it):")
        for warning in result.warnings:
            click.echo(f"  {warning}")
    if problems:
        sys.exit(EXIT_PROBLEMS)


def _what_was_checked(raw: Any, document: str | None, complete: bool) -> str:
    docs = [d for d in raw.get("documents", []) if not document or d.get("form") == document]
    mode = "fully" if complete else "drafts for types and formats, completed documents fully"
    return f"{len(docs)} document{'s' if len(docs) != 1 else ''} checked, {mode}"


@cli.command()
@profile_option
def forms(profile: str | None) -> None:
    """List the documents of the active profile, in process order, with their versions."""
    formset = load_formset(profile)
    click.echo(f"Documents for {formset.profile.name}:")
    for form in formset.forms_in_order():
        fields = sum(1 for f in form.iter_fields() if not f.fields)
        variant = formset.profile.variants.get(form.form)
        extra = f", {variant.replace('_', ' ')} layout" if variant else ""
        several = ", several per case" if form.repeatable else ""
        click.echo(
            f"  {form.form:<14} v{form.version}  {form.title}  "
            f"({len(form.sections)} sections, {fields} questions{several}{extra})"
        )


@cli.group()
def schema() -> None:
    """Export the case format's JSON Schema, or check a council profile."""


@schema.command("export")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to this file.")
@profile_option
def schema_export(output: Path | None, profile: str | None) -> None:
    """Write the JSON Schema (draft 2020-12) of the case format."""
    text = json.dumps(case_json_schema(load_formset(profile)), indent=2) + "\n"
    if output:
        write_atomic(output, text.encode())
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@schema.command("check")
@click.argument("profile_dir", type=click.Path(path_type=Path), required=False)
def schema_check(profile_dir: Path | None) -> None:
    """Check the form files (laid under a council profile folder, if given), and that every
    change between a form's versions is explained by its migrations."""
    formset = load_formset(profile_dir)
    base = formset.schema_dir or default_schema_dir()
    rep = Reporter()
    form_versions.check(base, dict(load_formset(None, base).forms), rep)
    rep.raise_if_any()
    count = len(formset.forms)
    kept = sum(len(form_versions.kept_versions(base, name)) for name in formset.forms)
    versions = f", {kept} earlier versions kept" if kept else ""
    click.echo(
        f"{profile_dir or base}: {formset.profile.name}: {count} documents{versions}, no problems"
    )


@schema.command("keep-version")
@click.argument("form_name")
def schema_keep_version(form_name: str) -> None:
    """Keep a copy of FORM_NAME's current version (form_schemas/versions/FORM/N.yaml), with
    the option lists it uses: do it before changing the form and bumping its version."""
    path = form_versions.keep(default_schema_dir(), form_name)
    click.echo(f"Kept {path}")


@cli.group()
def templates() -> None:
    """Check a council's document templates, or copy ours for a council to start from."""


@templates.command("check")
@click.option(
    "--case",
    "case_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Render against this case file (repeatable). Default: the example cases.",
)
@profile_option
def templates_check(case_files: Sequence[Path], profile: str | None) -> None:
    """Render every template against the example cases; list each unknown variable, broken or
    split tag and missing Word style with its file and place."""
    formset = load_formset(profile)
    chosen = Templates.of(formset.profile)
    paths = list(case_files) or sorted(_examples_folder().glob("*.json"))
    cases = [_example_case(path, formset) for path in paths]
    blanks: list[Callable[[], object]] = [partial(_blank_html, formset, f) for f in formset.forms]
    blanks += [partial(blank_docx, formset, form) for form in formset.forms]
    issues = check_templates(chosen, cases, dt.date.today(), formset.profile.logo, blanks)
    for issue in issues:
        click.echo(str(issue))
    where = " over ".join(str(root) for root in chosen.roots)
    if issues:
        click.echo(f"{len(issues)} problem(s) in the templates of {formset.profile.name}", err=True)
        sys.exit(EXIT_PROBLEMS)
    click.echo(f"{formset.profile.name}: templates in {where}: no problems ({len(cases)} cases)")


@templates.command("export")
@click.argument("folder", type=click.Path(path_type=Path))
def templates_export(folder: Path) -> None:
    """Copy our templates (html/ and docx/) into FOLDER, for a council to change; a council puts
    the files it changed in its profile's templates/ folder."""
    written = export_templates(folder)
    click.echo(f"Copied {len(written)} template files to {folder}")


def _examples_folder() -> Path:
    return Path(__file__).resolve().parents[1] / "examples"


def _example_case(path: Path, formset: FormSet) -> Case:
    """An example case under the profile's forms, or under the base forms when it does not fit
    them (a council's own fields): the templates see the same shape of document either way."""
    raw = read_case_file(path)
    result = validate_case({**raw, "profile": formset.profile.slug}, formset)
    if result.case is None:
        result = validate_case(raw, load_formset(None))
    if result.case is None:
        raise EhdocsError(f"{path}: not a valid case, so it cannot be used to check templates")
    return result.case


def _blank_html(formset: FormSet, form: str) -> str:
    return blank_html(formset, blank_view(formset, form, "pdf"))


@cli.command()
@click.argument("case_files", nargs=-1, required=True, type=click.Path(path_type=Path))
@profile_option
def summary(case_files: Sequence[Path], profile: str | None) -> None:
    """Validate cases and print a readable summary of each."""
    failed = False
    for case_file in case_files:
        raw = read_case_file(case_file)
        formset = _formset_for(raw, profile)
        result = validate_case(raw, formset)
        click.echo(_summary_text(case_file, result, summarise, formset, raw))
        failed = failed or not result.ok
    if failed:
        sys.exit(EXIT_PROBLEMS)


def _summary_text(
    case_file: Path,
    result: ValidationResult,
    summarise: Callable[..., str],
    formset: FormSet,
    raw: dict[str, Any],
) -> str:
    if result.case is None:
        lines = [f"{case_file}: NOT VALID ({len(result.problems)} problems)"]
        lines += [f"  {in_words(p, formset, raw)}" for p in result.problems[:20]]
        return "\n".join(lines) + "\n"
    return summarise(result.case, str(case_file))


AUDIENCE = click.Choice(AUDIENCES)
FORMAT = click.Choice(FORMATS)


def _valid_case(case_file: Path, profile: str | None) -> Case:
    raw = read_case_file(case_file)
    formset = _formset_for(raw, profile)
    result = validate_case(raw, formset)
    if result.case is None:
        lines = [f"{case_file}: cannot render: the case has {len(result.problems)} problem(s)"]
        lines += [f"  {in_words(p, formset, raw)}" for p in result.problems[:30]]
        lines.append(f"Run 'ehdocs validate {case_file}' for all of them.")
        raise EhdocsError("\n".join(lines))
    return result.case


@cli.command()
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option("--document", "document", required=True, help="A form (e.g. plan) or a document id.")
@click.option("--audience", type=AUDIENCE, default="professional", show_default=True)
@click.option("--format", "fmt", type=FORMAT, default="pdf", show_default=True)
@output_folder_option
@profile_option
def render(
    case_file: Path, document: str, audience: str, fmt: str, output: Path, profile: str | None
) -> None:
    """Render a document (every one of that form, or one by id) to PDF or DOCX."""
    from ehdocs.render.outputs import (
        file_name,
        part_name,
        render_document,
        select_documents,
        write_output,
    )

    case = _valid_case(case_file, profile)
    options = RenderOptions(audience, fmt, dt.date.today(), seal=_seal_keys())
    for doc in select_documents(case, document):
        data = render_document(case, doc, options)
        path = write_output(output, file_name(case, part_name(doc), options), data)
        click.echo(f"Wrote {path}")


@cli.command()
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option("--audience", type=AUDIENCE, default="professional", show_default=True)
@click.option("--format", "fmt", type=FORMAT, default="pdf", show_default=True)
@output_folder_option
@profile_option
def pack(case_file: Path, audience: str, fmt: str, output: Path, profile: str | None) -> None:
    """Render the whole case (every document, then the diagrams) as one pack."""
    from ehdocs.render.outputs import file_name, render_pack, write_output

    case = _valid_case(case_file, profile)
    options = RenderOptions(
        audience, fmt, dt.date.today(), PartCache(default_cache_dir()), seal=_seal_keys()
    )
    data = render_pack(case, options)
    path = write_output(output, file_name(case, "pack", options), data)
    click.echo(f"Wrote {path}")


def _seal_keys() -> SealKeys:
    """The service's keys: a PDF rendered here is taken back in by the hub as a case copy."""
    return seal_keys(from_environment())


@cli.command()
@click.argument("form_name")
@click.option("--format", "fmt", type=FORMAT, default="pdf", show_default=True)
@output_folder_option
@profile_option
def blank(form_name: str, fmt: str, output: Path, profile: str | None) -> None:
    """A blank fillable form (PDF or Word) for partners without a case system."""
    formset = load_formset(profile)
    form = formset.form(form_name)  # an unknown name is reported with the list
    name, data = blank_form(formset, form.form, fmt)
    path = output / name
    write_atomic(path, data)
    click.echo(f"Wrote {path}")


@cli.command()
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option(
    "--type", "kind", required=True, help="The letter (form_schemas/letters), e.g. closure."
)
@click.option("--to", "to", help="Whom to: a person's or professional's id. Default: list them.")
@click.option("--format", "fmt", type=FORMAT, default="pdf", show_default=True)
@click.option(
    "--set",
    "asked",
    multiple=True,
    metavar="NAME=VALUE",
    help="What the letter asks for, e.g. --set place='Riverside Family Hub' (repeatable).",
)
@click.option("--paragraph", help="The letter's paragraph of your own, where it has one.")
@click.option(
    "--record/--no-record",
    default=False,
    show_default=True,
    help="Record the letter in the case file as correspondence (a case note, in the "
    "chronology), as the case page does. Off by default: the command reads the case file and "
    "changes it only when asked.",
)
@click.option("--by", "by", default="the command line", help="Who produced it, for --record.")
@output_folder_option
@profile_option
def letter(
    case_file: Path,
    kind: str,
    to: str | None,
    fmt: str,
    asked: Sequence[str],
    paragraph: str | None,
    record: bool,
    by: str,
    output: Path,
    profile: str | None,
) -> None:
    """Write a letter of the case to a family member, the referrer or a professional."""
    case = _valid_case(case_file, profile)
    chosen = letters.letter_type(kind)
    if to is None:
        for who in letters.recipients(case, chosen):
            click.echo(f"{who.id}\t{who.name}")
        click.echo("Choose one with --to ID", err=True)
        sys.exit(EXIT_PROBLEMS)
    values = dict(_name_value(item) for item in asked)
    now = now_local()
    made = letter_producing.write(case, kind, to, fmt, now.date(), values, paragraph)
    recorded = None
    if record:  # checked before anything is written: a record that does not fit stores nothing
        sent = letter_producing.sent_letter(made.context, fmt, by.strip() or "the command line")
        recorded = with_letter(read_case_file(case_file), case.formset, sent, now)
        result = validate_case(recorded, case.formset)
        if result.case is None:
            problems = [in_words(p, case.formset, recorded) for p in result.problems[:10]]
            raise EhdocsError("The letter cannot be recorded: " + "; ".join(problems))
    path = output / made.name
    write_atomic(path, made.data)
    click.echo(f"Wrote {path}")
    if recorded is not None:
        text = json.dumps(recorded, indent=2, ensure_ascii=False) + "\n"
        write_atomic(case_file, text.encode("utf-8"))
        click.echo(f"Recorded on the case as a letter sent: {case_file}")


def _name_value(item: str) -> tuple[str, str]:
    name, equals, value = item.partition("=")
    if not equals or not name.strip():
        raise EhdocsError(f"--set takes NAME=VALUE, not '{item}'")
    return name.strip(), value


@cli.command()
@click.argument("case_file", type=click.Path(path_type=Path))
@click.option(
    "--kind", type=click.Choice(["genogram", "ecomap", "scales", "chronology"]), required=True
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="FILE.svg, FILE.png or FILE.pdf (a chronology: .pdf only).",
)
@click.option("--audience", type=AUDIENCE, default="professional", show_default=True)
@profile_option
def diagram(case_file: Path, kind: str, output: Path, audience: str, profile: str | None) -> None:
    """Draw one diagram of a case on its own: as SVG, PNG (for print) or tagged PDF."""
    from ehdocs.render.figures import figures
    from ehdocs.render.sections import render_section_pdf

    suffix = output.suffix.lower()
    if suffix not in (".svg", ".png", ".pdf"):
        raise EhdocsError(f"Write the diagram to a .svg, .png or .pdf file, not '{output.name}'")
    if kind == "chronology" and suffix != ".pdf":
        raise EhdocsError("A chronology is a document, not a picture: write it to a .pdf file")
    case = _valid_case(case_file, profile)
    if suffix == ".pdf":
        from ehdocs.render.limits import run_limited

        data = run_limited(lambda: render_section_pdf(case, kind, audience))
    else:
        drawn = figures(for_audience(case, audience), kind)
        data = _picture(drawn[0].svg, suffix) if drawn else None
    if data is None:
        raise EhdocsError(f"Case {case.reference} has nothing to draw a {kind} from yet")
    write_atomic(output, data)
    click.echo(f"Wrote {output}")


def _picture(svg: str, suffix: str) -> bytes:
    if suffix == ".svg":
        return svg.encode()
    from ehdocs.diagrams.fonts import svg_to_png

    # About 200 dpi across an A4 page's text width: crisp in print.
    return svg_to_png(svg, 1300)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--load-examples", is_flag=True, help="Add the example cases not loaded yet.")
def serve(host: str, port: int, load_examples: bool) -> None:
    """Start the web service (development server; use gunicorn in production)."""
    from ehdocs.storage import get_storage
    from ehdocs.web import create_app

    app = create_app()
    if load_examples:
        demo.refuse_in_production(app.config["ENV_NAME"])
    if app.config["ENV_NAME"] == "production":
        raise EhdocsError(
            "ehdocs serve is the development server, never for a live service (EHDOCS_ENV is "
            "production): run gunicorn instead, as the README's 'Running in production' shows: "
            "gunicorn -w 4 --timeout 150 -b 127.0.0.1:8000 'ehdocs.web:create_app()'"
        )
    if load_examples:
        examples = _examples_folder()
        store = get_storage(app).cases
        for path in sorted(examples.glob("*.json")):
            raw = read_case_file(path)
            if store.find(raw.get("reference", "")) is None:
                store.create(raw)
                click.echo(f"Loaded example case {raw['reference']}")
        referral = examples / "hub" / "referral.json"
        if referral.exists() and _demo_submission(app, referral):
            click.echo("Put an example e-mailed form in the hub queue")
        with app.app_context():
            demo.create_accounts(app.config["ENV_NAME"])
        click.echo(_demo_notice(f"http://{host}:{port}/sign-in"))
    click.echo(f"ehdocs is running at http://{host}:{port}/  (press Ctrl-C to stop)")
    app.run(host=host, port=port, debug=False, use_reloader=False)


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--imap",
    "imap_url",
    help="Take in mail from this mailbox: imaps://user@host[:port]"
    " (the password in EHDOCS_IMAP_PASSWORD).",
)
@click.option("--folder", default="INBOX", show_default=True, help="The mailbox folder to read.")
@click.option(
    "--every",
    type=click.IntRange(min=5),
    help="With --imap: look again every N "
    "seconds until stopped (Ctrl-C). Without it the mailbox is read once.",
)
@click.option(
    "--smtp",
    "smtp_listen",
    metavar="HOST:PORT",
    help="Listen for mail forwarded by the hub's mail server, until stopped (Ctrl-C).",
)
@click.option(
    "--database",
    envvar="DATABASE_URL",
    help="Database URL (default: the service's SQLite file under EHDOCS_DATA_DIR).",
)
def ingest(
    paths: tuple[Path, ...],
    imap_url: str | None,
    folder: str,
    every: int | None,
    smtp_listen: str | None,
    database: str | None,
) -> None:
    """Take in forms sent to the hub: PDF or Word files, folders of them, e-mails (.eml) and
    mailboxes (.mbox), an IMAP mailbox, or mail forwarded to an SMTP listener.

    Every file is kept until the hub has handled it; the same file twice is one submission,
    and a run stopped part-way can simply be run again. Replies go to the senders when
    EHDOCS_SMTP_URL is set."""
    from ehdocs.ingest import cli as ingest_cli

    if not (paths or imap_url or smtp_listen):
        raise click.UsageError("Give files or folders to take in, or --imap, or --smtp")
    if every and not imap_url:
        raise click.UsageError("--every goes with --imap")
    ingest_cli.run(list(paths), imap_url, folder, every, smtp_listen, database)


def database_option(command: F) -> F:
    return click.option(
        "--database",
        envvar="DATABASE_URL",
        help="Database URL (default: the service's SQLite file under EHDOCS_DATA_DIR).",
    )(command)


@contextmanager
def _database(url: str | None) -> Iterator[Engine]:
    """The service's database, migrated, for a command that reads or changes it."""
    config = from_environment({"DATABASE_URL": url} if url else None)
    engine = make_engine(config["DATABASE_URL"])
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()


@cli.group()
def audit() -> None:
    """Check the audit trail's hash chain, or export its entries as CSV."""


@audit.command("verify")
@database_option
def audit_verify(database: str | None) -> None:
    """Check every entry's hash and its link to the one before; name the first broken one."""
    with _database(database) as engine:
        result = audit_trail.check_chain(session_factory(engine))
    if result.broken_id is None:
        entries = f"{result.entries} entr{'y' if result.entries == 1 else 'ies'}"
        click.echo(f"The audit trail is intact: {entries}")
        return
    when = f"{result.broken_at:%Y-%m-%d %H:%M:%S} UTC" if result.broken_at else "at an unknown time"
    click.echo(
        f"The audit trail is broken at entry {result.broken_id}, written {when}: "
        f"{result.reason}. Entries from there on cannot be trusted; keep a copy of the "
        "database as it is and tell your data protection officer.",
        err=True,
    )
    sys.exit(EXIT_PROBLEMS)


@audit.command("export")
@click.option(
    "--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day (UK), YYYY-MM-DD."
)
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UK), YYYY-MM-DD.")
@click.option("--case", "case_reference", help="Only this case, by its reference.")
@click.option("--actor", help="Only what this person did, by e-mail address.")
@click.option("--action", help="Only this action, e.g. case.view.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="CSV file.")
@database_option
def audit_export(
    start: dt.datetime | None,
    end: dt.datetime | None,
    case_reference: str | None,
    actor: str | None,
    action: str | None,
    output: Path,
    database: str | None,
) -> None:
    """Write the audit entries that match as CSV, newest first (times in UTC)."""
    search = Search(
        actor=actor,
        case_reference=case_reference,
        action=action,
        start=start.date() if start else None,
        end=end.date() if end else None,
    )
    with _database(database) as engine:
        sessions = session_factory(engine)
        buffer = io.StringIO()
        with sessions() as db:
            count = export_entries(db, search, buffer)
        audit_trail.record(
            "audit.export", actor="system", detail="csv, from the command line", sessions=sessions
        )
    write_atomic(output, buffer.getvalue().encode("utf-8"))
    click.echo(f"Wrote {count} entr{'y' if count == 1 else 'ies'} to {output}", err=True)


@cli.group()
def retention() -> None:
    """Dispose of what the council's retention rules say is due, and place or lift legal holds.
    Run `ehdocs retention run --apply` from cron or a scheduled job (daily is enough)."""


@retention.command("run")
@click.option("--apply", "apply_", is_flag=True, help="Delete what is due, for good.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Count as if on this day.")
@database_option
@profile_option
def retention_run(
    apply_: bool, today: dt.datetime | None, database: str | None, profile: str | None
) -> None:
    """List what is due for disposal (a dry run, the default); with --apply, dispose of it."""
    formset = load_formset(profile)
    day = today.date() if today else dt.date.today()
    config = from_environment({"DATABASE_URL": database} if database else None)
    with _database(database) as engine:
        sessions = session_factory(engine)
        items = rules.due(sessions, formset, day)
        for item in items:
            what = item.reference or f"{item.count} {item.kind.replace('_', ' ')}"
            click.echo(f"  {item.kind:14} {what}: {item.rule}")
        if not items:
            click.echo("Nothing is due for disposal.")
            return
        if not apply_:
            click.echo(f"{len(items)} due. Nothing was deleted: run again with --apply to do it.")
            return
        blobs = BlobStore(received_folder(config))
        report = rules.dispose(
            engine,
            sessions,
            formset,
            blobs,
            default_cache_dir(),
            items,
            day,
            attachments=BlobStore(attachments_folder(config)),
        )
    for item, why in report.skipped:
        click.echo(f"  left alone: {item.reference or item.kind}: {why}")
    click.echo(
        f"Disposed of {len(report.disposed)} of {len(items)}; "
        f"{report.files_removed} stored file(s) removed."
    )


@retention.command("hold")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the case must be kept (no case content).")
@click.option("--by", "actor", required=True, help="Your e-mail address, for the audit trail.")
@database_option
def retention_hold(reference: str, reason: str, actor: str, database: str | None) -> None:
    """Put a case on legal hold: it is never disposed of until the hold is lifted."""
    with _database(database) as engine:
        try:
            rules.place_hold(session_factory(engine), reference, reason, None, actor)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"Case {reference} is on legal hold.")


@retention.command("lift")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the hold is no longer needed.")
@click.option("--by", "actor", required=True, help="Your e-mail address, for the audit trail.")
@database_option
def retention_lift(reference: str, reason: str, actor: str, database: str | None) -> None:
    """Lift a case's legal hold: the retention rules apply to it again."""
    with _database(database) as engine:
        sessions = session_factory(engine)
        hold = next((h for h in rules.holds(sessions) if h.reference == reference), None)
        if hold is None:
            raise NotFoundError(f"Case {reference} is not on legal hold")
        try:
            rules.lift_hold(sessions, hold.id, reason, None, actor)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"The legal hold on case {reference} is lifted.")


@cli.group("rights")
def rights_group() -> None:
    """A person's rights over their record: correct their details once for the whole case, and
    restrict a case (it can be read but not changed) or lift the restriction."""


@rights_group.command("correct")
@click.argument("reference")
@click.argument("person_id")
@click.option(
    "--set",
    "changes",
    multiple=True,
    required=True,
    metavar="FIELD=VALUE",
    help="A detail of the person's record and its corrected value (empty to clear); repeatable.",
)
@click.option("--reason", required=True, help="Why the details are corrected (not the details).")
@click.option("--by", "actor", required=True, help="Your e-mail address, for the audit trail.")
@database_option
@profile_option
def rights_correct(
    reference: str,
    person_id: str,
    changes: tuple[str, ...],
    reason: str,
    actor: str,
    database: str | None,
    profile: str | None,
) -> None:
    """Correct the details of the person PERSON_ID in case REFERENCE: every document of the case
    shows them from then on; the chronology and the audit trail record it."""
    formset = load_formset(profile)
    record = rectification.person_record(formset)
    known = {f.id for f in record.fields if not f.set_by_ehdocs and not f.fields}
    config = from_environment({"DATABASE_URL": database} if database else None)
    opened = storage.Storage.open(config, formset)
    try:
        stored = opened.cases.find(reference.strip())
        if stored is None:
            raise NotFoundError(f"There is no case with the reference {reference.strip()}")
        answers = rectification.person_row(stored.raw, formset, person_id)
        for change in changes:
            name, equals, value = change.partition("=")
            if not equals or name.strip() not in known:
                raise click.UsageError(
                    f"--set {change!r}: give FIELD=VALUE, FIELD one of {', '.join(sorted(known))}"
                )
            answers[name.strip()] = value.strip()
        _, changed = rights.rectify(
            opened.cases, stored.id, person_id, answers, reason, stored.version, None, actor
        )
    except InvalidCaseError as exc:
        for problem in exc.problems:
            click.echo(f"  {in_words(problem, formset, stored.raw if stored else {})}", err=True)
        raise EhdocsError("The correction was not saved: nothing was changed") from None
    except ValueError as exc:  # no reason, or nothing to change
        raise click.UsageError(str(exc)) from None
    finally:
        opened.close()
    click.echo(f"Corrected in case {stored.reference}: {', '.join(f.id for f in changed)}")


@rights_group.command("restrict")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the case is restricted (no case content).")
@click.option("--by", "actor", required=True, help="Your e-mail address, for the audit trail.")
@database_option
def rights_restrict(reference: str, reason: str, actor: str, database: str | None) -> None:
    """Restrict a case: it can be read but not changed until the restriction is lifted."""
    with _database(database) as engine:
        try:
            rights.place_restriction(session_factory(engine), reference, reason, None, actor)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"Case {reference} is restricted: it can be read but not changed.")


@rights_group.command("lift")
@click.argument("reference")
@click.option("--reason", required=True, help="Why the restriction is no longer needed.")
@click.option("--by", "actor", required=True, help="Your e-mail address, for the audit trail.")
@database_option
def rights_lift(reference: str, reason: str, actor: str, database: str | None) -> None:
    """Lift a case's restriction: it can be changed again."""
    with _database(database) as engine:
        sessions = session_factory(engine)
        found = next((r for r in rights.in_place(sessions) if r.reference == reference), None)
        if found is None:
            raise NotFoundError(f"Case {reference} is not restricted")
        try:
            rights.lift_restriction(sessions, found.id, reason, None, actor)
        except ValueError as exc:
            raise click.UsageError(str(exc)) from None
    click.echo(f"The restriction on case {reference} is lifted.")


@cli.group()
def db() -> None:
    """Run the database's migrations, or set up the web service's PostgreSQL role."""


@db.command("upgrade")
@database_option
def db_upgrade(database: str | None) -> None:
    """Bring the database's tables up to date (as their owner, before starting the service)."""
    with _database(database):
        click.echo("The database is up to date")


@db.command("grant-app-role")
@click.argument("role")
@database_option
def db_grant_app_role(role: str, database: str | None) -> None:
    """Let ROLE (the web service's login role) use every table, but only read and add to the
    audit trail: it cannot update, delete or truncate audit entries. PostgreSQL only; run it
    as the tables' owner after each upgrade."""
    with _database(database) as engine:
        grant_app_role(engine, role)
    click.echo(f"{role} may now read and add audit entries, never change or delete them")


@cli.command("migrate")
@click.option("--dry-run", is_flag=True, help="Report what would change; change nothing.")
@database_option
@profile_option
def migrate_forms(dry_run: bool, database: str | None, profile: str | None) -> None:
    """Bring every draft document and page draft written on an earlier version of its form
    up to the current version (completed documents keep theirs), in one transaction, with an
    audit entry for each case changed. --dry-run reports it, case by case."""
    formset = load_formset(profile)
    actor = _shell_user()

    def audited(session: Any, done: storage.CaseMigration) -> None:
        moved = "; ".join(
            f"{d.document} v{d.from_version}->v{d.to_version}" for d in done.documents
        )
        detail = f"{moved or 'page drafts'} ({done.page_drafts} page drafts)"
        audit_trail.append(
            session, "form.migrate", case_id=done.case_id, detail=detail[:400], actor=actor
        )

    config = from_environment({"DATABASE_URL": database} if database else None)
    opened = storage.Storage.open(config, formset)  # (its tables brought up to date first)
    try:
        found = opened.cases.migrate_forms(apply=not dry_run, on_case=audited)
    finally:
        opened.close()
    for done in found:
        click.echo(f"Case {done.reference}:")
        for doc in done.documents:
            click.echo(f"  {doc.document}: version {doc.from_version} to {doc.to_version}")
            for change in doc.changes:
                click.echo(f"    {change}")
        if done.page_drafts:
            click.echo(f"  {done.page_drafts} page draft(s) typed on an earlier version")
    if not found:
        click.echo("Every draft is on the current version of its form: nothing to migrate.")
    elif dry_run:
        click.echo(f"{len(found)} case(s) would change. Nothing was changed (--dry-run).")
    else:
        click.echo(f"{len(found)} case(s) migrated, each with an audit entry.")


def _demo_notice(address: str) -> str:
    width = max(len(a.email) for a in demo.ACCOUNTS)
    lines = [
        "",
        "DEMO ACCOUNTS, FOR THIS DEMO ONLY: their password and codes are published here.",
        "Never use them, or --load-examples, on a service with real families' data.",
        f"  Sign in at {address} as one of these, with the password: {demo.PASSWORD}",
        *(f"    {a.email:<{width}}  {ROLES[a.role]}" for a in demo.ACCOUNTS),
        "  Then the code: run 'ehdocs users code EMAIL' for the current one, or add this",
        f"  key to an authenticator app (time-based, 6 digits): {totp.grouped(demo.TOTP_SECRET)}",
        "",
    ]
    return "\n".join(lines)


def _demo_submission(app: Any, path: Path) -> bool:
    """A filled blank form in an empty hub queue, taken in as an e-mailed one would be."""
    ingestor = app.extensions["ehdocs.ingestor"]
    if ingestor.count():
        return False
    example = json.loads(path.read_text(encoding="utf-8"))
    _, blank = blank_form(ingestor.formset, example["form"], "pdf")
    filled = fill_form(blank, example["values"])
    receipt = ingestor.receive_file(filled, source="upload", name="example.pdf")
    ingestor.process([receipt.reference])
    return True


# -- accounts ----------------------------------------------------------------------------------

ROLE = click.Choice(list(ROLES))


@cli.group()
def users() -> None:
    """Local accounts: add them (the first administrator too), list them, disable them, reset
    their authenticator, change their role. Uses the service's database (DATABASE_URL, or the
    SQLite file under EHDOCS_DATA_DIR)."""


@users.command("add")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name, as others will see it.")
@click.option("--role", type=ROLE, required=True, help="What their job gives them.")
@click.option("--team", "teams", multiple=True, help="A council team they belong to (repeat).")
@click.option(
    "--team-kind",
    type=click.Choice(accounts.TEAM_KINDS),
    default="locality",
    show_default=True,
    help="The kind of a --team that does not exist yet (it is made).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_add(
    email: str, name: str, role: str, teams: tuple[str, ...], team_kind: str, password_stdin: bool
) -> None:
    """Add a local account; you are asked for its password (12 characters or more)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password (12 characters or more)", hide_input=True, confirmation_prompt=True
        )
    with _accounts_app():
        account = accounts.create(
            email, name, role, password, teams=teams, team_kind=team_kind, actor=_shell_user()
        )
    click.echo(f"Added {account.name} <{account.email}>, {ROLES[account.role]}")
    click.echo(
        "To sign in: open the service's /sign-in page and enter this e-mail address and the "
        "password. At the first sign-in they set up an authenticator app by scanning the QR "
        "code shown; every sign-in after that asks for its 6-digit code."
    )


@users.command("list")
def users_list() -> None:
    """Every account, with its role, teams and state."""
    with _accounts_app():
        found = accounts.list_accounts()
    if not found:
        click.echo("No accounts yet: add the first administrator with 'ehdocs users add'")
    for account in found:
        state = "disabled" if account.disabled else "locked" if account.locked else "active"
        factor = "" if account.second_factor else ", authenticator not set up"
        teams = f" ({', '.join(account.teams)})" if account.teams else ""
        click.echo(
            f"{account.email}  {account.name}  {ROLES.get(account.role, account.role)}"
            f"{teams}  {state}{factor}"
        )


@users.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account: every session it has ends now. Accounts are never deleted."""
    with _accounts_app():
        account = accounts.disable(email, actor=_shell_user())
    click.echo(f"Disabled {account.email}: signed out everywhere")


@users.command("reset-mfa")
@click.argument("email")
def users_reset_mfa(email: str) -> None:
    """Forget an account's authenticator app: it sets one up again at its next sign-in."""
    with _accounts_app():
        account = accounts.reset_second_factor(email, actor=_shell_user())
    click.echo(f"Reset the authenticator of {account.email}: set up again at the next sign-in")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLE)
def users_set_role(email: str, role: str) -> None:
    """Change an account's role (its sessions end: it signs in again)."""
    with _accounts_app():
        account = accounts.set_role(email, role, actor=_shell_user())
    click.echo(f"{account.email} is now {ROLES[account.role]}")


@users.command("code")
@click.argument("email")
def users_code(email: str) -> None:
    """The current sign-in code of a DEMO account (script/run's), never of a real one."""
    with _accounts_app() as app:
        demo.refuse_in_production(app.config["ENV_NAME"])
        if not demo.is_demo(email):
            raise EhdocsError(
                f"{email} is not a demo account: codes come from its owner's authenticator app"
            )
    click.echo(totp.current_code(demo.TOTP_SECRET))


@contextmanager
def _accounts_app() -> Iterator[Flask]:
    """The service's database, open for account commands (the web service is not started)."""
    app = Flask("ehdocs")
    app.config.update(web_config.from_environment())
    opened = storage.init_app(app, load_formset(app.config["PROFILE"]))
    sessions.init_app(app)
    try:
        with app.app_context():
            yield app
    finally:
        opened.close()


def _shell_user() -> str:
    """Who made a change from the shell, for the audit trail."""
    try:
        return f"system:{getpass.getuser()}"
    except (KeyError, OSError):
        return "system"


@cli.group("demo")
def demo_group() -> None:
    """Fictional data for trying ehdocs out and for benchmarks: never on a live service."""


@demo_group.command("generate")
@click.option(
    "--cases",
    "count",
    type=click.IntRange(1, 1_000_000),
    required=True,
    help="How many cases to make.",
)
@click.option(
    "--seed", type=int, default=1, show_default=True, help="The same seed makes the same cases."
)
@database_option
def demo_generate(count: int, seed: int, database: str | None) -> None:
    """Make COUNT fictional case histories (Faker, en_GB) in the database: requests, hub
    decisions, allocations, visits, oversight notes, outcome scores and closures."""
    demo.refuse_in_production(web_config.from_environment()["ENV_NAME"])
    formset = load_formset()
    config = from_environment({"DATABASE_URL": database} if database else None)
    opened = storage.Storage.open(config, formset)
    made = 0
    try:
        for raw in generate_cases(count, seed=seed):
            if opened.cases.find(raw["reference"]) is None:
                opened.cases.create(raw)
                made += 1
    finally:
        opened.close()
    click.echo(
        f"Made {made} fictional case{'' if made == 1 else 's'} ({count - made} were there already)"
    )


@cli.group()
def report() -> None:
    """The council's performance report (form_schemas/report/kpis.yaml), from the database."""


@report.command("kpis")
@click.option(
    "--from",
    "start",
    type=click.DateTime(["%Y-%m-%d"]),
    required=True,
    help="First day, YYYY-MM-DD.",
)
@click.option(
    "--to", "end", type=click.DateTime(["%Y-%m-%d"]), required=True, help="Last day, YYYY-MM-DD."
)
@click.option("--team", help="Only this team's cases, by the team's name.")
@click.option("--worker", help="Only this worker's cases, by e-mail address.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv", show_default=True
)
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="The file.")
@database_option
@profile_option
def report_kpis(
    start: dt.datetime,
    end: dt.datetime,
    team: str | None,
    worker: str | None,
    fmt: str,
    output: Path,
    database: str | None,
    profile: str | None,
) -> None:
    """Write every KPI for the period as CSV, XLSX (a sheet per KPI) or a tagged PDF; counts
    under the profile's threshold are shown as "fewer than N"."""
    if end < start:
        raise click.UsageError("--to must be the same day as --from or after it")
    formset = load_formset(profile)
    config = from_environment({"DATABASE_URL": database} if database else None)
    opened = storage.Storage.open(config, formset)
    try:
        with opened.sessions() as db:
            team_id = worker_id = None
            if team:
                found = db.execute(
                    select(Team.id, Team.name).where(func.lower(Team.name) == team.lower())
                ).first()
                if found is None:
                    names = ", ".join(db.scalars(select(Team.name).order_by(Team.name)))
                    raise click.UsageError(f"There is no team '{team}'. Teams: {names or 'none'}")
                team_id, team = found
            if worker:
                worker_id = db.scalar(select(User.id).where(User.email == worker.lower()))
                if worker_id is None:
                    raise click.UsageError(f"There is no account with the address '{worker}'")
            flt = ReportFilter(start.date(), end.date(), team_id, worker_id)
            results = compute_kpis(db, opened.report, Labels(formset, opened.report), flt)
        period = flt.describe(team, worker)
        under = opened.report.suppress_under
        if fmt == "csv":
            body = report_export.to_csv(results, period, under)
        elif fmt == "xlsx":
            body = report_export.to_xlsx(results, period, under)
        else:
            body = report_export.to_pdf(results, period, under, formset.profile.name)
        audit_trail.record(
            "report.export",
            actor="system",
            detail=f"{fmt}, from the command line",
            sessions=opened.sessions,
        )
    finally:
        opened.close()
    write_atomic(output, body)
    click.echo(f"Wrote {len(results)} measures for {period} to {output}", err=True)


@report.command("reindex")
@database_option
@profile_option
def report_reindex(database: str | None, profile: str | None) -> None:
    """Rebuild the rows kept for every stored case (the report's, the timescale items): after
    an upgrade, or after the report's facts were changed."""
    formset = load_formset(profile)
    config = from_environment({"DATABASE_URL": database} if database else None)
    opened = storage.Storage.open(config, formset)
    try:
        count = reindex(opened.cases)
    finally:
        opened.close()
    click.echo(f"Indexed {count} case{'' if count == 1 else 's'} for the performance report")


@cli.command()
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Count as if on this day.")
@click.option("--dry-run", is_flag=True, help="List who would be reminded; send nothing.")
@database_option
@profile_option
def remind(
    today: dt.datetime | None, dry_run: bool, database: str | None, profile: str | None
) -> None:
    """E-mail each worker the timescales on their cases that are overdue or due by the next
    working day, by case reference only. Run it daily from cron or a scheduled job, on working
    days (e.g. `30 7 * * 1-5`); a worker is reminded at most once a day, so running it again is
    safe. Mail goes through EHDOCS_SMTP_URL from EHDOCS_MAIL_FROM; EHDOCS_PUBLIC_URL, when set,
    puts a link to My work in the e-mail."""
    formset = load_formset(profile)
    day = today.date() if today else dt.date.today()
    config = from_environment({"DATABASE_URL": database} if database else None)
    mailer: Mailer | None = None
    if not dry_run:
        if not config.get("SMTP_URL"):
            raise click.UsageError(
                "Set EHDOCS_SMTP_URL to the council's mail server (smtp://host:port), "
                "or use --dry-run to see who would be reminded"
            )
        sender = config.get("MAIL_FROM") or formset.profile.contact.get("hub_email")
        if not sender:
            raise click.UsageError("Set EHDOCS_MAIL_FROM to the address reminders come from")
        mailer = Mailer(str(config["SMTP_URL"]), str(sender))
    service = formset.profile.contact.get("service_name") or f"{formset.profile.name} Early Help"
    public = config.get("PUBLIC_URL")
    link = f"{str(public).rstrip('/')}/my-work/" if public else None
    with _database(database) as engine:
        sessions = session_factory(engine)
        with sessions() as db:
            due = reminders.due_reminders(db, day)
        if not due:
            click.echo("Nobody has anything overdue or due by the next working day.")
            return
        if mailer is None:
            for reminder in due:
                click.echo(
                    f"  {reminder.email}: {len(reminder.overdue)} overdue, {len(reminder.due)} due"
                )
            click.echo(f"{len(due)} worker(s) would be reminded. Nothing was sent (--dry-run).")
            return
        sending = mailer
        sent = reminders.send_reminders(
            sessions,
            day,
            sending.send,
            lambda reminder: reminders.message(reminder, day, sending.sender, service, link),
            only=due,
        )
    for reminder, why in sent.failed:
        click.echo(f"  not sent to {reminder.email}: {why}", err=True)
    click.echo(
        f"Reminded {len(sent.sent)} worker(s); {len(sent.already)} already reminded today; "
        f"{len(sent.failed)} failed."
    )
    if sent.failed:
        raise SystemExit(1)


def _formset_for(raw: Any, profile: str | None) -> FormSet:
    named = raw.get("profile") if isinstance(raw, dict) else None
    # A case names a profile, never a folder: an untrusted file must not pick what is read.
    if not (isinstance(named, str) and re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", named)):
        named = None
    return load_formset(profile or named)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; every expected failure becomes a message and an exit code."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="ehdocs", standalone_mode=False
        )
    except EhdocsError as exc:
        click.echo(f"ehdocs: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("ehdocs: stopped", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int | None) else 1
    except Exception as exc:  # the last line of defence: never a traceback for a user
        if os.environ.get("EHDOCS_DEBUG"):
            raise
        click.echo(
            f"ehdocs: something went wrong that ehdocs did not expect "
            f"({type(exc).__name__}). Nothing was changed. Run again with "
            "EHDOCS_DEBUG=1 to see the details, and report it.",
            err=True,
        )
        return 70
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
