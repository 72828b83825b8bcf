"""Signing in with a local account and out again.

Signing in takes two steps: the e-mail address and password, then a code from an authenticator
app (the second factor is required: an account without one sets it up before it is let in).
Between them the browser holds a session of the "password" stage, which opens nothing; only
the code makes it a full session, under a new token.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from ehdocs.access import accounts, audit, sessions, totp
from ehdocs.access.accounts import Account
from ehdocs.access.policy import public, signed_in
from ehdocs.storage import get_storage
from ehdocs.web.limits import limiter, sign_in_limit

bp = Blueprint("auth", __name__)

# The same words whatever was wrong: an unknown address, a wrong password, a locked or
# disabled account. Saying which would tell a stranger which addresses have accounts.
SIGN_IN_ERROR = "Enter a correct e-mail address and password"
CODE_ERROR = "Enter the correct 6-digit code from your authenticator app"
NEXT = "next"  # where to go after signing in, kept in the cookie between the two steps
_NOT_NEXT = ("/sign-in", "/sign-out")


def safe_next(value: str | None) -> str | None:
    """`value` if it is a path within this service, else None: never another site
    ("//evil.example", "https://…", "/\\evil.example" that some browsers read as "//")."""
    if not value or len(value) > 2000 or not value.startswith("/"):
        return None
    if value.startswith("//") or "\\" in value or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.path.startswith(_NOT_NEXT):
        return None
    return value


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_limit, methods=["POST"])
def sign_in() -> str | Response:
    after = safe_next(request.values.get(NEXT))
    if sessions.current() is not None:
        return redirect(after or url_for("cases.index"))
    email = request.form.get("email", "").strip()
    errors: dict[str, str] = {}
    if request.method == "POST":
        password = request.form.get("password", "")
        if not email:
            errors["email"] = "Enter your e-mail address"
        if not password:
            errors["password"] = "Enter your password"
        if not errors:
            verdict = accounts.check_password(email, password)
            if verdict.ok and verdict.account is not None:
                sessions.start(verdict.account.id, stage="password")
                session[NEXT] = after
                return redirect(_second_step(verdict.account))
            errors["email"] = SIGN_IN_ERROR
    return render_template("auth/sign_in.html", email=email, errors=errors, next=after)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_limit, methods=["POST"])
def code() -> str | Response:
    account = _waiting()
    if account is None:
        return redirect(url_for("auth.sign_in"))
    if not account.second_factor:
        return redirect(url_for("auth.set_up_code"))
    error = None
    if request.method == "POST":
        verdict = accounts.check_code(account.id, request.form.get("code", ""))
        if verdict.ok:
            return _signed_in(account)
        error = CODE_ERROR
    return render_template("auth/code.html", error=error)


@bp.route("/sign-in/set-up-code", methods=["GET", "POST"])
@public
@limiter.limit(sign_in_limit, methods=["POST"])
def set_up_code() -> str | Response:
    account = _waiting()
    if account is None:
        return redirect(url_for("auth.sign_in"))
    secret = accounts.enrolment_secret(account.id)
    if secret is None:  # already set up
        return redirect(url_for("auth.code"))
    error = None
    if request.method == "POST":
        verdict = accounts.check_code(account.id, request.form.get("code", ""), confirming=True)
        if verdict.ok:
            audit.record("mfa_enrolled", principal=accounts.principal_of(account))
            return _signed_in(account)
        error = CODE_ERROR
    issuer = get_storage().cases.formset.profile.name
    uri = totp.provisioning_uri(secret, account.email, issuer)
    return render_template(
        "auth/set_up_code.html",
        error=error,
        qr_code=Markup(totp.qr_svg(uri, "QR code to scan with your authenticator app")),
        secret=totp.grouped(secret),
    )


@bp.post("/sign-out")
@signed_in
def sign_out() -> Response:
    if sessions.current() is not None:
        audit.record("sign_out")
    sessions.end()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.sign_in"))


def _waiting() -> Account | None:
    """The account whose password was right in this browser, waiting for its code."""
    row = sessions.pending()
    if row is None or row.user_id is None:
        return None
    account = accounts.by_id(row.user_id)
    return account if account is not None and not account.disabled else None


def _second_step(account: Account) -> str:
    return url_for("auth.code" if account.second_factor else "auth.set_up_code")


def _signed_in(account: Account) -> Response:
    after = safe_next(session.get(NEXT))
    sessions.promote()  # a new token: whatever was known of the old one opens nothing
    audit.record("sign_in", principal=accounts.principal_of(account))
    return redirect(after or url_for("cases.index"))
