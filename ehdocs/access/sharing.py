"""Sending a family member or a professional their copy: a secure link, or a password-protected
PDF.

A link is for one address. It expires (the profile's `share_link_days`), opens only with a
one-time code sent to the same address, downloads a limited number of times, and can be
revoked; only the SHA-256 of the link and of the code are kept, and every step is audited. The
e-mails hold no personal data and no attachment: the same subject and words for everyone.

A password-protected PDF is encrypted with AES-256 (pikepdf); its password is made here, shown
once to the practitioner to give to the family by phone, and never stored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.errors import ShareRefused
from ehdocs.storage.models import SharedCopy, now

Sessions = sessionmaker[Session]
CODE_MINUTES = 15
CODE_TRIES = 5  # wrong codes before the link is locked (the sender can share again)
CODES_PER_LINK = 5
DEFAULT_DOWNLOADS = 3
# Letters and digits no one misreads on the phone (no 0/O, 1/l/I).
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Share:
    """A shared copy as the case page lists it (never its link or code)."""

    id: int
    document: str | None
    audience: str
    recipient: str
    shared_by: str
    created_at: dt.datetime
    expires_at: dt.datetime
    downloads: int
    max_downloads: int
    revoked_at: dt.datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= now():
            return "Expired"
        if self.downloads >= self.max_downloads:
            return "Used up"
        return "Active"


def _share(row: SharedCopy) -> Share:
    return Share(
        row.id, row.document, row.audience, row.recipient, row.shared_by, row.created_at,
        row.expires_at, row.downloads, row.max_downloads, row.revoked_at,
    )  # fmt: skip


def create(
    db: Session,
    case_id: int,
    document: str | None,
    audience: str,
    recipient: str,
    shared_by: str,
    days: int,
    max_downloads: int = DEFAULT_DOWNLOADS,
) -> str:
    """A new shared copy in `db`'s transaction; returns the link's token (sent, never kept)."""
    token = secrets.token_urlsafe(32)
    db.add(
        SharedCopy(
            case_id=case_id, document=document, audience=audience,
            recipient=recipient.strip().lower(), token_hash=_hash(token), shared_by=shared_by,
            expires_at=now() + dt.timedelta(days=days), max_downloads=max_downloads,
            downloads=0, code_tries=0, codes_sent=0,
        )
    )  # fmt: skip
    db.flush()
    return token


def shares_of(sessions: Sessions, case_id: int) -> list[Share]:
    with sessions() as db:
        rows = db.scalars(
            select(SharedCopy)
            .where(SharedCopy.case_id == case_id)
            .order_by(SharedCopy.created_at.desc())
        )
        return [_share(r) for r in rows]


def find(db: Session, token: str) -> SharedCopy:
    """The shared copy a link names, if it may still be opened; else ShareRefused."""
    row = db.scalar(select(SharedCopy).where(SharedCopy.token_hash == _hash(token)))
    if row is None:
        raise ShareRefused("invalid")
    if row.revoked_at is not None:
        raise ShareRefused("revoked")
    if row.expires_at <= now():
        raise ShareRefused("expired")
    if row.downloads >= row.max_downloads:
        raise ShareRefused("used_up")
    if row.code_tries >= CODE_TRIES:
        raise ShareRefused("locked")
    return row


def new_code(db: Session, row: SharedCopy) -> str:
    """A fresh one-time code for the link (the one before stops working)."""
    if row.codes_sent >= CODES_PER_LINK:
        raise ShareRefused("too_many_codes")
    code = f"{secrets.randbelow(1_000_000):06d}"
    row.code_hash = _hash(f"{row.id}:{code}")
    row.code_expires_at = now() + dt.timedelta(minutes=CODE_MINUTES)
    row.codes_sent += 1
    return code


def check_code(db: Session, row: SharedCopy, code: str) -> None:
    """Count one download if `code` is the link's current code; else count a wrong try."""
    typed = "".join(ch for ch in code if ch.isdigit())
    good = (
        row.code_hash is not None
        and row.code_expires_at is not None
        and row.code_expires_at > now()
        and hmac.compare_digest(row.code_hash, _hash(f"{row.id}:{typed}"))
    )
    if not good:
        row.code_tries += 1
        expired = row.code_expires_at is not None and row.code_expires_at <= now()
        raise ShareRefused("code_expired" if expired and typed else "wrong_code")
    # One UPDATE that only one request can win: two opens with the same code count twice.
    won = db.execute(
        update(SharedCopy)
        .where(SharedCopy.id == row.id, SharedCopy.downloads < SharedCopy.max_downloads)
        .values(downloads=SharedCopy.downloads + 1, code_hash=None, code_tries=0)
    )
    if not getattr(won, "rowcount", 0):
        raise ShareRefused("used_up")


def revoke(db: Session, case_id: int, share_id: int, who: str) -> SharedCopy:
    row = db.get(SharedCopy, share_id)
    if row is None or row.case_id != case_id:
        raise ShareRefused("invalid")
    if row.revoked_at is None:
        row.revoked_at, row.revoked_by = now(), who
    return row


# -- password-protected PDFs ------------------------------------------------------------------


def clear_protected(folder: Path, minutes: int) -> int:
    """Delete protected PDFs made more than `minutes` ago and never downloaded."""
    cutoff = time.time() - minutes * 60
    removed = 0
    for path in folder.glob("*.pdf"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


def make_password(length: int = 12) -> str:
    """A password to read out on the phone: 12 letters and digits in groups of four."""
    chars = "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(length))
    return "-".join(chars[i : i + 4] for i in range(0, length, 4))


def encrypt_pdf(data: bytes, password: str) -> bytes:
    """The PDF encrypted with AES-256 (PDF 2.0 security handler R6): it opens with
    `password`, and printing and copying stay allowed (accessibility tools need both)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = io.BytesIO()
        pdf.save(
            out,
            encryption=pikepdf.Encryption(
                user=password, owner=secrets.token_urlsafe(24), R=6, aes=True, metadata=True
            ),
        )
    return out.getvalue()
