"""The ehdocs web service: the application factory."""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, request, url_for
from flask_wtf.csrf import CSRFProtect

from ehdocs import access, storage
from ehdocs.access import enforce, oidc, policy, sessions
from ehdocs.ingest.service import Ingestor
from ehdocs.ingest.setup import ingestor_for
from ehdocs.schema import load_formset
from ehdocs.storage.sealing import seal_keys
from ehdocs.web import answer_limits, limits, security
from ehdocs.web import config as configuration
from ehdocs.web.converters import DatabaseIntConverter
from ehdocs.web.templating import StrictInOurTemplates
from ehdocs.web.views import (
    allocation,
    audit,
    auth,
    break_glass,
    carry,
    cases,
    documents,
    hub,
    letters,
    main,
    mywork,
    partner,
    records,
    reports,
    retention,
    rights,
    sharing,
    sso,
    subject_access,
    team,
)

csrf = CSRFProtect()
# The service's menu: (what the person must be allowed, page, words, the paths it is "on"),
# in order; None: everyone.
NAVIGATION: tuple[tuple[str | None, str, str, str], ...] = (
    (policy.CASE_LIST, "cases.index", "Cases", "/cases"),
    (policy.CASE_LIST, "mywork.index", "My work", "/my-work"),
    (policy.TEAM_VIEW, "team.index", "Team", "/team"),
    (policy.HUB_QUEUE, "hub.index", "Hub queue", "/hub"),
    (policy.AUDIT_VIEW, "audit.search", "Audit trail", "/audit"),
    (policy.SUBJECT_ACCESS, "subject_access.index", "Subject access", "/subject-access"),
    (policy.RETENTION, "retention.index", "Retention", "/retention"),
    (policy.RIGHTS, "rights.restrictions", "Restrictions", "/rights"),
    (policy.REPORT, "reports.index", "Performance", "/reports"),
    (None, "main.forms", "Blank forms", "/forms"),
)


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    # Ids in URLs stop at the database's integer bound: a huge number is a 404, not a 500.
    app.url_map.converters["int"] = DatabaseIntConverter
    app.config.update(configuration.from_environment(test_config))
    configuration.check(app.config)
    app.jinja_loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
            jinja2.PrefixLoader(
                {"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")}
            ),
        ]
    )
    # A missing variable in our templates fails (STYLE.md); GOV.UK's macros stay forgiving.
    app.jinja_env.undefined = StrictInOurTemplates
    answer_limits.init_app(app)  # before CSRF protection reads the form
    csrf.init_app(app)
    security.init_app(app)

    formset = load_formset(app.config["PROFILE"])
    # The council's session timeouts, unless the app's own config says otherwise (tests).
    app.config.setdefault("SESSION_IDLE_MINUTES", formset.profile.sessions["idle_minutes"])
    app.config.setdefault("SESSION_MAX_HOURS", formset.profile.sessions["absolute_hours"])
    opened = storage.init_app(app, formset)
    sessions.init_app(app)
    oidc.init_app(app, formset.profile)
    enforce.init_app(app)
    limits.init_app(app)
    app.extensions["ehdocs.seal"] = seal_keys(app.config)
    app.extensions["ehdocs.ingestor"] = _ingestor(app, opened)

    @app.context_processor
    def council() -> dict[str, Any]:
        path = request.path
        principal = access.current()
        navigation = [
            {"href": url_for(endpoint), "text": text, "active": path.startswith(prefix)}
            for action, endpoint, text, prefix in NAVIGATION
            if action is None or policy.may(principal, action)
        ]
        service_url = url_for("cases.index")
        if request.blueprint == "partner":  # partners see their own pages, and nothing else
            service_url = url_for("partner.start")
            navigation = _partner_navigation(path)
        return {
            "council": formset.profile,
            "service_name": "Early help documents",
            "service_navigation": navigation,
            "service_url": service_url,
            "signed_in": sessions.current(),
        }

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(hub.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(partner.bp)
    app.register_blueprint(sso.bp)
    app.register_blueprint(break_glass.bp)
    app.register_blueprint(retention.bp)
    app.register_blueprint(sharing.bp)
    app.register_blueprint(carry.bp)
    app.register_blueprint(subject_access.bp)
    app.register_blueprint(rights.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(allocation.bp)
    app.register_blueprint(mywork.bp)
    app.register_blueprint(team.bp)
    app.register_blueprint(letters.bp)
    return app


def _partner_navigation(path: str) -> list[dict[str, Any]]:
    principal = sessions.current()
    if principal is None:
        return []
    return [
        {
            "href": url_for("partner.resume"),
            "text": "Your request",
            "active": path.startswith("/partner/notification"),
        },
        {
            "href": url_for("partner.sent"),
            "text": "What you have sent",
            "active": path.startswith("/partner/sent"),
        },
    ]


def _ingestor(app: Flask, opened: storage.Storage) -> Ingestor:
    """Uploads on the hub pages go through the same ingestion as mail; its parser processes
    start on the first upload and stop with the service."""
    ingestor = ingestor_for(opened, app.config)
    atexit.register(ingestor.close)
    return ingestor
