"""Security headers (with a nonce-based CSP), no caching of case pages, error pages."""

from __future__ import annotations

import secrets

from flask import Flask, Response, abort, g, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from ehdocs.errors import RenderTooLarge, RestrictedError

CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def init_app(app: Flask) -> None:
    app.add_template_global(csp_nonce)

    @app.before_request
    def no_test_assets_in_production() -> None:
        # axe-core is built for the browser tests (which inject it themselves): only a test
        # app serves it, never a development or live one.
        if request.path.startswith("/static/build/test/") and not app.testing:
            abort(404)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not request.path.startswith("/static/"):
            # Case pages hold personal data: never kept in a shared computer's cache.
            response.headers["Cache-Control"] = "no-store"
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> tuple[str, int]:
        return render_template(
            "errors/400.html",
            reason="Your session has expired or the page "
            "was out of date. Go back, reload the page and try again: "
            "what you typed may need to be entered again.",
        ), 400

    @app.errorhandler(RenderTooLarge)
    def too_large_to_produce(error: RenderTooLarge) -> tuple[str, int, dict[str, str]]:
        # The render was stopped at its limit (ehdocs.render.limits): say what to do instead.
        app.logger.warning("A document or pack passed its render limit and was stopped")
        return render_template("errors/503.html", reason=str(error)), 503, {"Retry-After": "600"}

    @app.errorhandler(RestrictedError)
    def restricted(error: RestrictedError) -> tuple[str, int]:
        # A change refused by the store that no page caught: said in words, never a trace.
        return render_template("errors/409.html", reason=str(error)), 409

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        known = (400, 403, 404, 409, 413, 429)
        template = f"errors/{code}.html" if code in known else "errors/500.html"
        return render_template(template, reason=None), code

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> tuple[str, int]:
        # Logged without request data (it may hold personal data), shown without a trace.
        app.logger.error("Unexpected error: %s", type(error).__name__, exc_info=error)
        return render_template("errors/500.html", reason=None), 500
