"""Where submissions come from: files and folders, e-mails (.eml) and mailboxes (.mbox), an
IMAP mailbox (polled), and an SMTP listener the hub's mail server forwards to."""

from __future__ import annotations

import asyncio
import imaplib
import logging
import mailbox
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from aiosmtpd.controller import Controller

from ehdocs.errors import SourceError
from ehdocs.ingest.mail import MAX_MESSAGE_BYTES, is_message
from ehdocs.ingest.sandbox import MAX_FILE_BYTES
from ehdocs.ingest.service import Ingestor, Receipt

HANDLED = "$EhdocsHandled"  # the IMAP keyword a handled message gets (with \Seen)


@dataclass(frozen=True)
class Unit:
    """One thing to receive: a file, an e-mail file, or one message of a mailbox."""

    path: Path
    kind: str  # file | message | mbox-message
    key: int | None = None  # the message's key in its mailbox


def units(paths: list[Path]) -> list[Unit]:
    """Everything under the paths given, in a stable order; hidden files are left out."""
    found: list[Unit] = []
    for path in paths:
        if not path.exists():
            raise SourceError(f"There is no file or folder called {path}")
        if path.is_dir():
            files = sorted(
                p for p in path.rglob("*") if p.is_file() and not _hidden(p.relative_to(path))
            )
        else:
            files = [path]
        for file in files:
            found.extend(_units_of(file))
    return found


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def _units_of(file: Path) -> list[Unit]:
    with open(file, "rb") as handle:
        head = handle.read(4096)
    if file.suffix.lower() == ".mbox" or head.startswith(b"From "):
        box = mailbox.mbox(file, create=False)
        try:
            return [Unit(file, "mbox-message", int(key)) for key in box.keys()]
        finally:
            box.close()
    if file.suffix.lower() == ".eml" or is_message(head):
        return [Unit(file, "message")]
    return [Unit(file, "file")]


class _Mailboxes:
    """The mailbox last read, kept open: opening one reads its whole table of contents, so
    opening it again for each message would read a big mailbox once per message."""

    def __init__(self) -> None:
        self.seen: tuple[Path, int, int] | None = None  # path, size, modified: the same file
        self.box: mailbox.mbox | None = None

    def message(self, path: Path, key: int) -> bytes:
        stat = path.stat()
        seen = (path, stat.st_size, stat.st_mtime_ns)
        if self.box is None or self.seen != seen:  # another file, or this one changed
            self.close()
            self.box, self.seen = mailbox.mbox(path, create=False), seen
        return self.box.get_bytes(key)  # type: ignore[arg-type]

    def close(self) -> None:
        if self.box is not None:
            self.box.close()
        self.box, self.seen = None, None


_mailboxes = _Mailboxes()


def receive_unit(ingestor: Ingestor, unit: Unit) -> list[Receipt]:
    if unit.kind == "mbox-message" and unit.key is not None:
        return ingestor.receive_message(_mailboxes.message(unit.path, unit.key), source="mbox")
    size = unit.path.stat().st_size
    name = _clean_name(unit.path.name)
    limit = MAX_MESSAGE_BYTES if unit.kind == "message" else MAX_FILE_BYTES
    if size > limit:  # kept whole, by streaming, and refused unread
        return [ingestor.receive_big_file(unit.path, source="file", name=name)]
    data = unit.path.read_bytes()
    if unit.kind == "message":
        return ingestor.receive_message(data, source="file")
    return [ingestor.receive_file(data, source="file", name=name)]


def done_receiving() -> None:
    """Close the mailbox file kept open between messages."""
    _mailboxes.close()


def _clean_name(name: str) -> str:
    return "".join(c for c in name if c.isprintable())[:255]


# -- IMAP ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    tls: bool
    user: str
    password: str

    @classmethod
    def from_url(cls, url: str) -> ImapSettings:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise SourceError(
                "The mailbox address must look like imaps://user@host or imap://user@host:port"
            )
        password = (
            unquote(parts.password)
            if parts.password
            else os.environ.get("EHDOCS_IMAP_PASSWORD", "")
        )
        if not parts.username or not password:
            raise SourceError(
                "Give the mailbox's user name in the address (imaps://user@host) and its "
                "password in EHDOCS_IMAP_PASSWORD"
            )
        tls = parts.scheme == "imaps"
        port = parts.port or (993 if tls else 143)
        return cls(parts.hostname, port, tls, unquote(parts.username), password)


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def poll_imap(
    ingestor: Ingestor,
    settings: ImapSettings,
    folder: str,
    on_message: Callable[[list[Receipt]], None] | None = None,
) -> int:
    """Take in every message in the folder not yet handled, then mark each handled (\\Seen and
    the $EhdocsHandled keyword), only after its files are stored and recorded. Returns how many
    messages were taken in."""
    try:
        if settings.tls:
            imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(settings.host, settings.port, timeout=30)
        else:
            imap = imaplib.IMAP4(settings.host, settings.port, timeout=30)
    except OSError as exc:
        raise SourceError(
            f"Could not connect to the mailbox at {settings.host}:{settings.port} "
            f"({exc.strerror or exc})"
        ) from None
    try:
        try:
            imap.login(settings.user, settings.password)
        except imaplib.IMAP4.error:
            raise SourceError("The mailbox refused the user name or password") from None
        status, _ = imap.select(_quote(folder))
        if status != "OK":
            raise SourceError(f"The mailbox has no folder called {folder!r}")
        keywords = _keywords_allowed(imap)
        criteria = f"UNKEYWORD {HANDLED}" if keywords else "UNSEEN"
        status, data = imap.uid("SEARCH", criteria)
        if status != "OK":
            raise SourceError("The mailbox did not answer a search")
        uids = data[0].split() if data and data[0] else []
        flags = f"(\\Seen {HANDLED})" if keywords else "(\\Seen)"
        taken = 0
        for uid in uids:
            status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            raw = next((p[1] for p in parts or [] if isinstance(p, tuple) and len(p) == 2), None)
            if status != "OK" or not isinstance(raw, bytes):
                continue
            receipts = ingestor.receive_message(raw, source="imap")
            imap.uid("STORE", uid, "+FLAGS.SILENT", flags)
            taken += 1
            if on_message is not None:
                on_message(receipts)
        return taken
    except (imaplib.IMAP4.abort, OSError) as exc:
        raise SourceError(f"The connection to the mailbox failed ({exc})") from None
    finally:
        try:
            imap.logout()
        except Exception:
            pass


def _keywords_allowed(imap: imaplib.IMAP4) -> bool:
    untagged = imap.untagged_responses.get("OK", [])
    for line in untagged:
        text = line.decode(errors="replace") if isinstance(line, bytes) else str(line)
        match = re.search(r"PERMANENTFLAGS \(([^)]*)\)", text)
        if match:
            return "\\*" in match.group(1)
    return True


# -- SMTP listener ------------------------------------------------------------------------


class SmtpListener:
    """An SMTP server (aiosmtpd) that takes every message it is given: each is stored and
    recorded before the server says 250, then read, checked and replied to in the background."""

    def __init__(self, ingestor: Ingestor, host: str, port: int) -> None:
        self.ingestor = ingestor
        self._work = threading.Event()
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._drain, name="ehdocs-smtp-drain", daemon=True)
        handler = _Handler(self)
        self.controller = Controller(
            handler,
            hostname=host,
            port=port,
            data_size_limit=MAX_MESSAGE_BYTES,
        )

    def start(self) -> None:
        self._worker.start()
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()
        self._stop.set()
        self._work.set()
        self._worker.join(30)

    def received(self, raw: bytes) -> None:
        self.ingestor.receive_message(raw, source="smtp")
        self._work.set()

    def _drain(self) -> None:
        while not self._stop.is_set():
            self._work.wait(5)
            self._work.clear()
            try:
                self.ingestor.run()
            except Exception:  # keep listening; the next message retries what is left
                logging.getLogger("ehdocs.ingest").exception("processing received mail failed")
            if self._stop.is_set():
                return

    def wait_idle(self, timeout: float = 30.0) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if not self.ingestor.pending():
                return True
            time.sleep(0.1)
        return False


class _Handler:
    def __init__(self, listener: SmtpListener) -> None:
        self.listener = listener

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        content = getattr(envelope, "original_content", None) or getattr(envelope, "content", b"")
        raw: bytes = content.encode() if isinstance(content, str) else bytes(content or b"")
        try:
            await asyncio.get_running_loop().run_in_executor(None, self.listener.received, raw)
        except Exception:
            return "451 Requested action aborted: could not store the message, try again later"
        return "250 Message accepted for delivery"
