"""Sharing a copy: the secure link through a real SMTP server on loopback (expiry, wrong code,
reuse, the download count, withdrawal, the audit trail), and the password-protected PDF opened
with pypdf and qpdf with its password and refused without it."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pypdf
import pytest
from flask import Flask
from sqlalchemy import select, update

from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, SharedCopy
from tests.mailservers import SmtpCatcher, smtp_catcher  # noqa: F401
from tests.render.test_pdf import page_texts
from tests.web.accounts import hub_client
from tests.web.conftest import DATABASES, QualityClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LINK = re.compile(r"http://localhost/shared/([A-Za-z0-9_-]+)")
CODE = re.compile(r"Your code is (\d{6})")
FAMILY = "mum@family.example"


@pytest.fixture(params=DATABASES)
def share_app(
    request: pytest.FixtureRequest,
    make_app: Callable[..., Flask],
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> Flask:
    return make_app(request.param, SMTP_URL=smtp_catcher.url, MAIL_FROM="eh@council.example")


def _case(app: Flask) -> int:
    raw = json.loads((EXAMPLES / "single-parent.json").read_text("utf-8"))
    return get_storage(app).cases.create(raw).id


def _share(client: QualityClient, case_id: int, recipient: str = FAMILY) -> None:
    url = f"/cases/{case_id}/share"
    page = client.page(url)
    response = client.submit(
        url, {"what": "pack", "audience": "family", "recipient": recipient}, page=page
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:400]


def _ask_code(visitor: QualityClient, token: str, catcher: SmtpCatcher, count: int) -> str:
    page = visitor.page(f"/shared/{token}")
    assert page.h1 == "Open a shared document"
    visitor.submit(f"/shared/{token}", {"action": "code"}, page=page)
    caught = catcher.wait_for(count)[-1]
    assert caught.message["Subject"] == "Your code to open a shared document"
    assert caught.rcpt_tos == [FAMILY]
    found = CODE.search(caught.message.get_content())
    assert found is not None
    return found.group(1)


def test_a_family_opens_their_copy_with_the_code(
    share_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    case_id = _case(share_app)
    practitioner = hub_client(share_app)
    _share(practitioner, case_id)
    (sent,) = smtp_catcher.wait_for(1)
    body = sent.message.get_content()
    assert sent.message["Subject"] == "A document has been shared with you"
    assert not sent.message.is_multipart()  # no attachment
    for personal in ("Riley", "Stacey", "EH-2026-0101"):
        assert personal not in body and personal not in str(sent.message["Subject"])
    link = LINK.search(body)
    assert link is not None
    token = link.group(1)

    visitor = share_app.test_client()
    code = _ask_code(visitor, token, smtp_catcher, 2)
    # a wrong code: refused, counted, nothing downloaded
    page = visitor.page(f"/shared/{token}")
    url = f"/shared/{token}"
    wrong = visitor.post(url, data={"csrf_token": page.csrf_token, "code": "1" + code[1:][::-1]})
    assert wrong.status_code == 400
    assert "The code is not right" in wrong.get_data(as_text=True)
    # the right code: the family copy of the pack, as a PDF
    right = visitor.post(url, data={"csrf_token": page.csrf_token, "code": code})
    assert right.status_code == 200 and right.mimetype == "application/pdf"
    text = " ".join(page_texts(right.data))
    assert "Family copy" in text
    # the code works once
    again = visitor.post(url, data={"csrf_token": page.csrf_token, "code": code})
    assert again.status_code == 400
    with get_storage(share_app).sessions() as db:
        row = db.scalars(select(SharedCopy)).one()
        assert (row.downloads, row.recipient) == (1, FAMILY)
        actions = [
            (e.action, e.outcome)
            for e in db.scalars(select(AuditEntry).where(AuditEntry.action.like("share.%")))
        ]
    assert ("share.link", "ok") in actions
    assert ("share.download", "ok") in actions
    assert ("share.download", "refused") in actions
    # the case page lists what was shared, with whom
    listing = practitioner.page(f"/cases/{case_id}/share")
    assert FAMILY in listing.text and "1 of 3" in listing.text


def test_an_expired_withdrawn_or_used_up_link_is_refused(
    share_app: Flask,
    smtp_catcher: SmtpCatcher,  # noqa: F811
) -> None:
    case_id = _case(share_app)
    practitioner = hub_client(share_app)
    _share(practitioner, case_id)
    token = LINK.search(smtp_catcher.wait_for(1)[0].message.get_content()).group(1)  # type: ignore[union-attr]
    visitor = share_app.test_client()
    storage = get_storage(share_app)
    with storage.sessions() as db, db.begin():
        db.execute(update(SharedCopy).values(downloads=3))
    used = visitor.get(f"/shared/{token}")
    assert used.status_code == 410
    assert "used as many times as it allows" in used.get_data(as_text=True)
    with storage.sessions() as db, db.begin():
        db.execute(update(SharedCopy).values(downloads=0, expires_at=dt.datetime(2020, 1, 1)))
    assert "has expired" in visitor.get(f"/shared/{token}").get_data(as_text=True)
    with storage.sessions() as db, db.begin():
        db.execute(update(SharedCopy).values(expires_at=dt.datetime(2100, 1, 1)))
    assert visitor.get(f"/shared/{token}").status_code == 200
    share_id = storage.sessions().scalars(select(SharedCopy.id)).one()
    page = practitioner.page(f"/cases/{case_id}/share")
    revoked = practitioner.post(
        f"/cases/{case_id}/share/{share_id}/revoke", data={"csrf_token": page.csrf_token}
    )
    assert revoked.status_code == 302, revoked.get_data(as_text=True)[:300]
    withdrawn = visitor.get(f"/shared/{token}")
    assert withdrawn.status_code == 410
    assert "withdrawn by the person who sent it" in withdrawn.get_data(as_text=True)
    assert visitor.get("/shared/not-a-real-token-at-all-123").status_code == 410


def test_a_bad_address_is_refused_with_a_message(share_app: Flask) -> None:
    case_id = _case(share_app)
    client = hub_client(share_app)
    page = client.page(f"/cases/{case_id}/share")
    response = client.submit(
        f"/cases/{case_id}/share",
        {"what": "pack", "audience": "family", "recipient": "mum at home"},
        page=page,
    )
    assert response.status_code == 400
    assert "Enter an email address in the correct format" in response.get_data(as_text=True)
    assert get_storage(share_app).sessions().scalars(select(SharedCopy)).all() == []


def test_a_password_protected_pdf_opens_only_with_its_password(
    share_app: Flask, tmp_path: Path
) -> None:
    case_id = _case(share_app)
    client = hub_client(share_app)
    page = client.page(f"/cases/{case_id}/share")
    shown = client.post(
        f"/cases/{case_id}/share/protected",
        data={"csrf_token": page.csrf_token, "what": "pack", "audience": "family"},
    )
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    password = re.search(r'id="password">([a-z0-9-]+)<', html).group(1)  # type: ignore[union-attr]
    href = re.search(r'href="(/cases/\d+/share/protected/[^"]+\.pdf)"', html).group(1)  # type: ignore[union-attr]
    data = client.get(href).data
    assert client.get(href).status_code == 404  # once only
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert reader.is_encrypted
    assert reader.decrypt("wrong-password") == 0
    assert reader.decrypt(password) != 0
    assert "Family copy" in reader.pages[0].extract_text()
    path = tmp_path / "protected.pdf"
    path.write_bytes(data)
    refused = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert refused.returncode != 0 and "password" in (refused.stderr + refused.stdout).lower()
    opened = subprocess.run(
        ["qpdf", f"--password={password}", "--show-encryption", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "AESv3" in opened.stdout  # AES-256
