"""Real mail servers on loopback for the tests: Debian's Dovecot for IMAP, aiosmtpd for SMTP.

No mocks: the code under test talks IMAP and SMTP over TCP to real servers. Each server
lives in a folder it is given, listens on 127.0.0.1 on a port free at start, and touches
nothing outside that folder (no /etc/dovecot, no system service), so several can run at once.

Use the fixtures from a conftest::

    from tests.mailservers import dovecot, smtp_catcher  # noqa: F401

A missing Dovecot fails the run, it is never skipped (`script/bootstrap --test` installs it).
"""

from __future__ import annotations

import atexit
import email.policy
import grp
import imaplib
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

DOVECOT_BINARY = Path("/usr/sbin/dovecot")
LOOPBACK = "127.0.0.1"
START_TIMEOUT = 20.0  # seconds; a cold start is normally well under one
_PORT_ATTEMPTS = 3  # a port found free can be taken by someone else before the server binds it
_SUN_PATH_MAX = 107  # bytes in a Unix socket path, less the final NUL
_LONGEST_SOCKET = "/token-login/imap-urlauth"  # the longest socket name Dovecot puts in base_dir


class MailServerError(RuntimeError):
    """A test mail server would not start (the message carries the tail of its log)."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port nobody listens on right now (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def quote_mailbox(name: str) -> str:
    """`name` as an IMAP quoted string (imaplib sends mailbox names as they are given)."""
    if not name or not name.isascii() or any(c in name for c in "\r\n\0"):
        raise ValueError(f"test mailbox names are printable ASCII, got {name!r}")
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple[str, list[Any]], what: str) -> list[Any]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{what}: {status} {data!r}")
    return data


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"({path.name}: nothing written)"
    return "\n".join(text.splitlines()[-lines:]) or f"({path.name}: empty)"


# -- Dovecot ----------------------------------------------------------------------------------


class Dovecot:
    """Dovecot 2.3 in the foreground (`dovecot -F -c CONFIG`) with its own configuration, state,
    sockets, log and Maildir in `folder`; one user from a passwd-file; plaintext LOGIN, no TLS.

    Run as an ordinary user, every Dovecot process runs as that user and nothing is chrooted.
    Run as root (a container), Dovecot allows neither login processes nor mail access as root:
    login processes run as `dovenull` (Debian's user for them; `nobody` without it) chrooted
    into base_dir/login as Dovecot does by default, and mail processes run as `nobody`
    chrooted into folder/mail, so the folder itself can stay private to root (pytest's tmp
    folders are mode 0700) while the unprivileged processes reach only what they need.
    """

    def __init__(self, folder: Path, *, user: str = "hub", password: str | None = None) -> None:
        self.folder = Path(folder).resolve()
        self.host = LOOPBACK
        self.port = 0  # chosen by start()
        self.user = user
        self.password = password if password is not None else secrets.token_urlsafe(18)
        for label, value in (("user", self.user), ("password", self.password)):
            if not value or re.search(r"[\s:\"\\%]", value):
                raise ValueError(f'the {label} must be non-empty without blanks or :"\\%')
        if re.search(r"[\s\"\\%$]", str(self.folder)):
            raise ValueError(f"Dovecot's folder path must not hold blanks or \"\\%$: {self.folder}")
        self.config = self.folder / "dovecot.conf"
        self.log = self.folder / "dovecot.log"
        self.output = self.folder / "dovecot.out"  # stdout and stderr: fatal start-up errors
        self.base_dir = self.folder / "run"
        if len(os.fsencode(str(self.base_dir) + _LONGEST_SOCKET)) > _SUN_PATH_MAX:
            raise ValueError(f"Dovecot's sockets would not fit a Unix socket path: {self.folder}")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        password = urllib.parse.quote(self.password, safe="")
        return f"imap://{urllib.parse.quote(self.user, safe='')}:{password}@{self.host}:{self.port}"

    # -- life cycle -----------------------------------------------------------------------------

    def start(self) -> Self:
        """Start Dovecot; return once a LOGIN on its port works. Raises MailServerError."""
        if self._process is not None:
            raise MailServerError("Dovecot is already running")
        if not DOVECOT_BINARY.is_file():
            raise MailServerError(
                f"{DOVECOT_BINARY} is missing: install Debian's dovecot-imapd "
                "(script/bootstrap --test does). The e-mail tests need a real IMAP server."
            )
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            self.port = free_port(self.host)
            self._write_files()
            self._launch()
            try:
                self._wait_ready()
                return self
            except MailServerError:
                self.stop()
                clash = "Address already in use" in _tail(self.log) + _tail(self.output)
                if attempt == _PORT_ATTEMPTS or not clash:
                    raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Terminate Dovecot (it stops its own children), kill it if it will not go."""
        process, self._process = self._process, None
        if process is None:
            return
        atexit.unregister(self.stop)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(process.pid, signal.SIGKILL)  # its own session: only its processes
                except ProcessLookupError:
                    pass
                process.wait(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # -- mailboxes, through IMAP ----------------------------------------------------------------

    def connect(self) -> imaplib.IMAP4:
        """A logged-in IMAP connection (close it with `logout()`, or use it in `with`)."""
        connection = imaplib.IMAP4(self.host, self.port, timeout=10)
        try:
            connection.login(self.user, self.password)
        except BaseException:
            connection.shutdown()
            raise
        return connection

    def create(self, folder: str) -> None:
        """Create `folder`; one that already exists is left as it is."""
        with self.connect() as connection:
            self._create(connection, folder)

    def append(self, folder: str, message: bytes) -> None:
        """Store `message` (CRLF line ends, or imaplib makes them so) in `folder`, creating it
        if needed."""
        with self.connect() as connection:
            self._create(connection, folder)
            _check(connection.append(quote_mailbox(folder), "", "", message), f"APPEND {folder}")

    def flags(self, folder: str) -> dict[int, set[str]]:
        """UID -> the message's flags and keywords in `folder` (without the per-session
        \\Recent). Read with EXAMINE, so looking changes nothing."""
        result: dict[int, set[str]] = {}
        with self.connect() as connection:
            _check(connection.select(quote_mailbox(folder), readonly=True), f"EXAMINE {folder}")
            data = _check(connection.uid("FETCH", "1:*", "(FLAGS)"), f"UID FETCH in {folder}")
            for item in data:
                line = item[0] if isinstance(item, tuple) else item
                if not isinstance(line, bytes):
                    continue
                uid = re.search(rb"\bUID (\d+)", line)
                flags = re.search(rb"\bFLAGS \(([^)]*)\)", line)
                if uid and flags:
                    names = set(flags.group(1).decode("ascii").split()) - {"\\Recent"}
                    result[int(uid.group(1))] = names
        return result

    def count(self, folder: str) -> int:
        """How many messages `folder` holds (an IMAP error if there is no such folder)."""
        with self.connect() as connection:
            data = _check(
                connection.status(quote_mailbox(folder), "(MESSAGES)"), f"STATUS {folder}"
            )
        found = re.search(rb"\(MESSAGES (\d+)\)", data[0] if data and data[0] else b"")
        if found is None:
            raise imaplib.IMAP4.error(f"STATUS {folder}: no message count in {data!r}")
        return int(found.group(1))

    @staticmethod
    def _create(connection: imaplib.IMAP4, folder: str) -> None:
        status, data = connection.create(quote_mailbox(folder))
        if status != "OK" and not (data and b"[ALREADYEXISTS]" in data[0]):
            raise imaplib.IMAP4.error(f"CREATE {folder}: {status} {data!r}")

    # -- helpers --------------------------------------------------------------------------------

    def _write_files(self) -> None:
        root = os.geteuid() == 0
        mail = self.folder / "mail"
        home = mail / self.user
        for path in (self.folder, self.base_dir, self.folder / "state", mail, home, mail / "tmp"):
            path.mkdir(parents=True, exist_ok=True)
        passwd = self.folder / "passwd"
        passwd.write_text(f"{self.user}:{{PLAIN}}{self.password}::::::\n")
        passwd.chmod(0o600)
        if root:
            mail_user = pwd.getpwnam("nobody")
            login_user = _first_user("dovenull", "nobody")
            internal_user, internal_group = "root", "root"
            mail_uid, mail_gid = mail_user.pw_uid, mail_user.pw_gid
            for path in (home, mail / "tmp"):  # the only places the mail processes write
                os.chown(path, mail_uid, mail_gid)
                path.chmod(0o700)
            # Mail processes are chrooted into `mail`: paths below are seen from inside it.
            mail_settings = f"mail_chroot = {mail}\nmail_temp_dir = /tmp\n"
            userdb_home = f"/{self.user}"
            # As root Dovecot's default chroots work, and the login processes' ones matter.
            no_chroot, unchrooted = "", ""
        else:
            internal_user = login_user = pwd.getpwuid(os.geteuid()).pw_name
            internal_group = grp.getgrgid(os.getegid()).gr_name
            mail_uid, mail_gid = os.geteuid(), os.getegid()
            mail_settings = f"mail_temp_dir = {mail / 'tmp'}\n"
            userdb_home = str(home)
            # chroot() needs root: every service Dovecot would chroot runs in place instead
            no_chroot = "\n  chroot ="  # for imap-login and anvil, in their blocks below
            unchrooted = "".join(
                f"service {name} {{\n  chroot =\n}}\n"
                for name in ("ipc", "old-stats", "imap-urlauth-login", "director")
            )
        self.config.write_text(
            f"""\
# Written by tests/mailservers.py for one test run; nothing here is read from /etc/dovecot.
instance_name = ehdocs-test-{self.port}
base_dir = {self.base_dir}
state_dir = {self.folder / "state"}
log_path = {self.log}
info_log_path = {self.log}
debug_log_path = {self.log}
protocols = imap
listen = {self.host}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_verbose = yes
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {mail_uid}
first_valid_gid = {mail_gid}
mail_uid = {mail_uid}
mail_gid = {mail_gid}
mail_location = maildir:~/Maildir
{mail_settings}\
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {passwd}
}}
userdb {{
  driver = static
  args = home={userdb_home}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
service imap-login {{
  inet_listener imap {{
    address = {self.host}
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}{no_chroot}
}}
# No growing login delays for repeated wrong passwords from 127.0.0.1: tests try them.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}{no_chroot}
}}
{unchrooted}"""
        )

    def _launch(self) -> None:
        command = [str(DOVECOT_BINARY), "-F", "-c", str(self.config)]
        setpriv = shutil.which("setpriv")
        if setpriv:  # Dovecot goes too if pytest is killed and cannot run stop()
            command = [setpriv, "--pdeathsig", "TERM", "--", *command]
        self.log.write_bytes(b"")  # a fresh log per attempt: start() reads it for errors
        with self.output.open("wb") as output:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                cwd=self.folder,
                start_new_session=True,  # Ctrl-C reaches pytest, which stops Dovecot in order
            )
        atexit.register(self.stop)

    def _wait_ready(self) -> None:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        last = "no attempt"
        while True:
            time.sleep(0.02)  # Dovecot needs some 50 ms; a port clash shows in its log at once
            if self._process.poll() is not None:
                problem = f"dovecot exited with status {self._process.returncode}"
                break
            if " Fatal: " in _tail(self.log, 5):  # e.g. a login process that cannot start
                problem = "a fatal error in its log"
                break
            if time.monotonic() > deadline:
                problem = f"no LOGIN within {START_TIMEOUT:g} s; last {last}"
                break
            try:
                with imaplib.IMAP4(self.host, self.port, timeout=5) as connection:
                    connection.login(self.user, self.password)
                return
            except imaplib.IMAP4.abort as exc:  # a connection cut short: still starting
                last = f"IMAP: {exc}"
            except imaplib.IMAP4.error as exc:  # LOGIN refused: the configuration is wrong
                problem = f"LOGIN refused: {exc}"
                break
            except OSError as exc:  # not listening yet
                last = f"connection: {exc}"
        raise MailServerError(
            f"Dovecot did not start on {self.host}:{self.port} ({problem}).\n"
            f"--- {self.output}\n{_tail(self.output)}\n--- {self.log}\n{_tail(self.log)}"
        )


def _first_user(*names: str) -> str:
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    raise MailServerError(f"none of the users {', '.join(names)} exists")


# -- SMTP -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caught:
    """One message the SMTP catcher received: the envelope, the raw bytes, the parsed message."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    message: EmailMessage = field(repr=False)


class _Handler:
    def __init__(self, catcher: SmtpCatcher) -> None:
        self.catcher = catcher

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        data = envelope.original_content or b""
        # Parsed with \n line ends, as Python's email package expects (SMTP sends CRLF, which
        # would otherwise stay in every text part); `data` keeps what came over the wire.
        message = BytesParser(policy=email.policy.default).parsebytes(data.replace(b"\r\n", b"\n"))
        caught = Caught(envelope.mail_from or "", list(envelope.rcpt_tos), data, message)
        self.catcher._add(caught)
        return "250 Message accepted for delivery"


class SmtpCatcher:
    """A real SMTP server (aiosmtpd in a thread) on 127.0.0.1 that keeps every message it gets.

    No AUTH and no TLS; any sender and recipient is accepted."""

    def __init__(self) -> None:
        self.host = LOOPBACK
        self.port = 0  # chosen by start()
        self._caught: list[Caught] = []
        self._arrived = threading.Condition()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"

    def start(self) -> Self:
        if self._controller is not None:
            raise MailServerError("the SMTP catcher is already running")
        for attempt in range(1, _PORT_ATTEMPTS + 1):
            self.port = free_port(self.host)
            controller = Controller(
                _Handler(self),
                hostname=self.host,
                port=self.port,
                server_hostname="ehdocs-test.localhost",  # no slow FQDN look-up
                enable_SMTPUTF8=True,
                ready_timeout=START_TIMEOUT,
            )
            try:
                controller.start()
            except OSError:
                controller.stop(no_assert=True)
                if attempt == _PORT_ATTEMPTS:
                    raise
                continue
            self._controller = controller
            return self
        raise AssertionError("unreachable")

    def stop(self) -> None:
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def messages(self) -> list[Caught]:
        """Every message so far, oldest first (a copy)."""
        with self._arrived:
            return list(self._caught)

    def wait_for(self, n: int, timeout: float = 10.0) -> list[Caught]:
        """All messages once at least `n` have arrived; AssertionError after `timeout` seconds."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self._caught) >= n, timeout):
                raise AssertionError(
                    f"expected {n} message(s) at {self.url} within {timeout:g} s, "
                    f"{len(self._caught)} arrived"
                )
            return list(self._caught)

    def clear(self) -> None:
        with self._arrived:
            self._caught.clear()

    def _add(self, caught: Caught) -> None:
        with self._arrived:
            self._caught.append(caught)
            self._arrived.notify_all()


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def dovecot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dovecot]:
    """One real IMAP server for the whole run (user `hub`, a random password). Tests share
    it: give each test its own folders."""
    server = Dovecot(tmp_path_factory.mktemp("dovecot"))
    try:
        server.start()
    except MailServerError as exc:  # never a skip: the e-mail tests would silently not run
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def smtp_catcher() -> Iterator[SmtpCatcher]:
    """A fresh real SMTP server for one test, holding the messages sent to it."""
    with SmtpCatcher() as catcher:
        yield catcher
