"""The ehdocs web service: the application factory."""

from __future__ import annotations

import atexit
from pathlib import Path
from typing import Any

import jinja2
from flask import Flask, request, url_for
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers

from ehdocs import storage
from ehdocs.access import sessions
from ehdocs.ingest.service import Ingestor
from ehdocs.ingest.setup import ingestor_for
from ehdocs.schema import load_formset
from ehdocs.web import config as configuration
from ehdocs.web import limits, security

csrf = CSRFProtect()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", template_folder="templates")
    app.config.update(configuration.from_environment(test_config))
    configuration.check(app.config)
    app.jinja_loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
            jinja2.PrefixLoader(
                {
                    "govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": jinja2.PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.undefined = jinja2.ChainableUndefined
    csrf.init_app(app)
    WTFormsHelpers(app)
    security.init_app(app)

    formset = load_formset(app.config["PROFILE"])
    # The council's session timeouts, unless the app's own config says otherwise (tests).
    app.config.setdefault("SESSION_IDLE_MINUTES", formset.profile.sessions["idle_minutes"])
    app.config.setdefault("SESSION_MAX_HOURS", formset.profile.sessions["absolute_hours"])
    opened = storage.init_app(app, formset)
    sessions.init_app(app)
    limits.init_app(app)
    app.extensions["ehdocs.ingestor"] = _ingestor(app, opened)

    @app.context_processor
    def council() -> dict[str, Any]:
        path = request.path
        navigation = [
            {"href": url_for("cases.index"), "text": "Cases", "active": path.startswith("/cases")},
            {"href": url_for("hub.index"), "text": "Hub queue", "active": path.startswith("/hub")},
            {
                "href": url_for("main.forms"),
                "text": "Blank forms",
                "active": path.startswith("/forms"),
            },
        ]
        return {
            "council": formset.profile,
            "service_name": "Early help documents",
            "service_navigation": navigation,
            "signed_in": sessions.current(),
        }

    from ehdocs.web.views import auth, cases, documents, hub, main, records

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(documents.bp)
    app.register_blueprint(records.bp)
    app.register_blueprint(hub.bp)
    return app


def _ingestor(app: Flask, opened: storage.Storage) -> Ingestor:
    """Uploads on the hub pages go through the same ingestion as mail; its parser processes
    start on the first upload and stop with the service."""
    ingestor = ingestor_for(opened, app.config)
    atexit.register(ingestor.close)
    return ingestor
