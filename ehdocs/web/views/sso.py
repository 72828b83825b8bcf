"""Signing in with the council's identity provider (OpenID Connect): the start of the flow and
the provider's callback. Not found when single sign-on is not configured."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from ehdocs.access import audit, oidc, sessions
from ehdocs.access.policy import public
from ehdocs.errors import SignInRefused

bp = Blueprint("sso", __name__)

NEXT_KEY = "sso_next"  # where to go after signing in, kept in this browser's session


@bp.app_template_global()
def sso_enabled() -> bool:
    """For auth/_sso.html: the button shows only when a provider is configured."""
    return oidc.enabled()


@bp.get("/sign-in/sso")
@public
def start() -> Response | tuple[str, int]:
    if not oidc.enabled():
        abort(404)
    target = within_service(request.args.get("next"))
    try:
        callback_url = current_app.config.get("OIDC_REDIRECT_URI")
        response = oidc.begin(callback_url or url_for(".callback", _external=True))
    except SignInRefused as refused:
        return _refused(refused)
    session.pop(NEXT_KEY, None)
    if target:
        session[NEXT_KEY] = target
    return response


@bp.get("/sign-in/sso/callback")
@public
def callback() -> Response | tuple[str, int]:
    if not oidc.enabled():
        abort(404)
    target = session.pop(NEXT_KEY, None)
    try:
        user_id = oidc.account_for(oidc.finish())
    except SignInRefused as refused:
        return _refused(refused)
    sessions.start(user_id)  # a new session: nothing of the flow's state survives it
    sessions.load_principal()
    audit.record("sign_in", outcome="ok", detail="sso")
    return redirect(within_service(target) or request.script_root + "/")


def within_service(target: object) -> str | None:
    """`target` if it is a path of this service, else None: never another site, even one
    written as //host, /\\host or with a scheme."""
    if not isinstance(target, str) or not target.startswith("/"):
        return None
    if target.startswith(("//", "/\\")) or any(ord(c) < 32 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def _refused(refused: SignInRefused) -> tuple[str, int]:
    audit.record("sign_in", outcome="refused", detail=f"sso: {refused.reason}", actor=refused.actor)
    return render_template("auth/sso_refused.html", message=refused.message), refused.status
