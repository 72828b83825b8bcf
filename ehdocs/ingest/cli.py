"""`ehdocs ingest`: what it prints and how it runs each source."""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click

from ehdocs.errors import SourceError
from ehdocs.ingest.service import Ingestor, Outcome, Receipt
from ehdocs.ingest.setup import ingestor_from_config
from ehdocs.ingest.sources import (
    ImapSettings,
    SmtpListener,
    done_receiving,
    poll_imap,
    receive_unit,
    units,
)
from ehdocs.storage.config import from_environment


def run(
    paths: list[Path],
    imap_url: str | None,
    folder: str,
    every: int | None,
    smtp_listen: str | None,
    database: str | None,
) -> None:
    config = from_environment({"DATABASE_URL": database} if database else None)
    imap = ImapSettings.from_url(imap_url) if imap_url else None
    listen = _host_port(smtp_listen) if smtp_listen else None
    with ingestor_from_config(config) as ingestor:
        receipts: list[Receipt] = []
        if paths:
            receipts += _receive_paths(ingestor, paths)
        if imap is not None:
            receipts += _receive_imap(ingestor, imap, folder)
        outcomes = _process(ingestor)
        _summary(receipts, outcomes, ingestor)
        if imap is not None and every:
            _poll_forever(ingestor, imap, folder, every)
        if listen is not None:
            _listen(ingestor, *listen)


def _host_port(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit():
        raise SourceError("--smtp takes HOST:PORT, for example 127.0.0.1:2525")
    return host, int(port)


def _receive_paths(ingestor: Ingestor, paths: list[Path]) -> list[Receipt]:
    found = units(paths)
    receipts: list[Receipt] = []
    with click.progressbar(found, label="Receiving", file=sys.stderr, show_pos=True) as bar:
        try:
            for unit in bar:
                receipts += receive_unit(ingestor, unit)
        finally:
            done_receiving()
    return receipts


def _receive_imap(ingestor: Ingestor, imap: ImapSettings, folder: str) -> list[Receipt]:
    receipts: list[Receipt] = []
    taken = poll_imap(ingestor, imap, folder, on_message=receipts.extend)
    click.echo(f"Read {taken} new message{'s' * (taken != 1)} from the mailbox", err=True)
    return receipts


def _process(ingestor: Ingestor) -> list[Outcome]:
    pending = len(ingestor.pending())
    if not pending:
        ingestor.reply_pending()
        return []
    with click.progressbar(length=pending, label="Reading", file=sys.stderr, show_pos=True) as bar:
        outcomes = ingestor.process_pending(progress=lambda n: bar.update(n))
    ingestor.reply_pending()
    return outcomes


def _summary(receipts: list[Receipt], outcomes: list[Outcome], ingestor: Ingestor) -> None:
    """What was taken in, by reference only (file names can hold a child's name)."""
    repeats = sum(1 for r in receipts if not r.new)
    references = list(dict.fromkeys([r.reference for r in receipts if r.new]))
    references += [o.reference for o in outcomes if o.reference not in references]
    rows = ingestor.statuses(references)
    ready = [r for r in rows if r.status == "ready"]
    with_problems = [r for r in ready if r.problems]
    refused = [r for r in rows if r.status == "refused"]
    click.echo(
        f"Received {len(receipts)} file{'s' * (len(receipts) != 1)}: {len(ready)} ready for "
        "the hub"
        + (f" ({len(with_problems)} with answers to fix)" if with_problems else "")
        + f", {len(refused)} refused, {repeats} already received."
    )
    if len(references) > len(set(r.reference for r in receipts if r.new)):
        click.echo("  (this includes files a run stopped part-way had not finished)")
    for row in with_problems:
        click.echo(f"  {row.reference}: {row.problems} answer(s) to fix")
    for row in refused:
        click.echo(f"  {row.reference} refused: {row.reason}")
    if ingestor.automatic:
        total = sum(ingestor.automatic.values())
        reasons = ", ".join(f"{n} {why}" for why, n in sorted(ingestor.automatic.items()))
        click.echo(
            f"Ignored {total} automatic e-mail{'s' * (total != 1)} (auto-replies, out-of-office, "
            f"bounces; not queued, not answered): {reasons}"
        )
        ingestor.automatic.clear()
    if ingestor.mailer is None and rows:
        click.echo("No replies sent: set EHDOCS_SMTP_URL to tell senders.", err=True)


def _poll_forever(ingestor: Ingestor, imap: ImapSettings, folder: str, every: int) -> None:
    stop = _stop_event()
    click.echo(f"Checking the mailbox every {every} seconds (Ctrl-C to stop)", err=True)
    while not stop.wait(every):
        try:
            receipts = _receive_imap(ingestor, imap, folder)
        except SourceError as exc:  # the server is away: say so and try again later
            click.echo(f"ehdocs: {exc}; trying again in {every} seconds", err=True)
            continue
        outcomes = _process(ingestor)
        if receipts or outcomes:
            _summary(receipts, outcomes, ingestor)


def _listen(ingestor: Ingestor, host: str, port: int) -> None:
    listener = SmtpListener(ingestor, host, port)
    try:
        listener.start()
    except (OSError, RuntimeError) as exc:
        raise SourceError(f"Could not listen for mail on {host}:{port} ({exc})") from None
    click.echo(f"Listening for mail on {host}:{port} (Ctrl-C to stop)", err=True)
    stop = _stop_event()
    try:
        while not stop.wait(1):
            pass
    finally:
        listener.stop()


def _stop_event() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop
