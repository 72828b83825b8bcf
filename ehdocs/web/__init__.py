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
    audit,
    auth,
    break_glass,
    carry,
    cases,
    documents,
    hub,
    main,
    partner,
    records,
    retention,
    sharing,
    sso,
    subject_access,
)

csrf = CSRFProtect()


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
        navigation = []
        if policy.may(principal, policy.CASE_LIST):
            navigation.append(
                {
                    "href": url_for("cases.index"),
                    "text": "Cases",
                    "active": path.startswith("/cases"),
                }
            )
        if policy.may(principal, policy.HUB_QUEUE):
            navigation.append(
                {
                    "href": url_for("hub.index"),
                    "text": "Hub queue",
                    "active": path.startswith("/hub"),
                }
            )
        if policy.may(principal, policy.AUDIT_VIEW):
            navigation.append(
                {
                    "href": url_for("audit.search"),
                    "text": "Audit trail",
                    "active": path.startswith("/audit"),
                }
            )
        if policy.may(principal, policy.SUBJECT_ACCESS):
            navigation.append(
                {
                    "href": url_for("subject_access.index"),
                    "text": "Subject access",
                    "active": path.startswith("/subject-access"),
                }
            )
        if policy.may(principal, policy.RETENTION):
            navigation.append(
                {
                    "href": url_for("retention.index"),
                    "text": "Retention",
                    "active": path.startswith("/retention"),
                }
            )
        navigation += [
            {
                "href": url_for("main.forms"),
                "text": "Blank forms",
                "active": path.startswith("/forms"),
            },
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
