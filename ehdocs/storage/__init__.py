"""Everything the service keeps: the database (cases, page drafts, submissions) and the files
received, used alike by the web service, `ehdocs ingest` and the CLI.

A process opens its storage once (`Storage.open`); the web app does it in `init_app`, as
flaskr's db.py does, and every view reaches it through `get_storage()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from ehdocs.report.definitions import ReportDefinition, load_report
from ehdocs.schema import FormSet
from ehdocs.storage import due_rows
from ehdocs.storage.attachments import attachments_folder
from ehdocs.storage.blobs import BlobStore
from ehdocs.storage.config import received_folder
from ehdocs.storage.db import make_engine, migrate, session_factory
from ehdocs.storage.report_index import ReportIndexer
from ehdocs.storage.store import CaseMigration, CaseStore, StoredCase

__all__ = [
    "BlobStore",
    "CaseMigration",
    "CaseStore",
    "Storage",
    "StoredCase",
    "get_storage",
    "init_app",
]

EXTENSION = "ehdocs.storage"


@dataclass(frozen=True)
class Storage:
    engine: Engine
    sessions: sessionmaker[Session]
    cases: CaseStore  # every read and write of a case
    blobs: BlobStore  # received files, kept until handled
    report: ReportDefinition  # the performance report's facts and KPIs (ehdocs.report)
    attachments: BlobStore  # direct work added to cases, cleaned (ehdocs.storage.attachments)

    @classmethod
    def open(cls, config: Mapping[str, Any], formset: FormSet) -> Storage:
        """The configured database, migrated to the current schema (a fresh one is made
        here), and the folder of received files."""
        engine = make_engine(config["DATABASE_URL"])
        migrate(engine)
        sessions = session_factory(engine)
        cases = CaseStore(sessions, formset)
        report = load_report(formset)
        # Every way a case is saved keeps the performance report's rows current.
        cases.indexers.append(ReportIndexer(report))
        cases.indexers.append(due_rows.DueRows())  # My work, Team and the reminders
        return cls(
            engine,
            sessions,
            cases,
            BlobStore(received_folder(config)),
            report,
            BlobStore(attachments_folder(config)),
        )

    def close(self) -> None:
        """Close the database connections (the pool opens new ones if used again)."""
        self.engine.dispose()


def init_app(app: Flask, formset: FormSet) -> Storage:
    """Open the app's storage. Nothing is registered to run after each request: every store
    operation opens and ends its own session, so a request leaves no session open."""
    storage = Storage.open(app.config, formset)
    app.extensions[EXTENSION] = storage
    return storage


def get_storage(app: Flask | None = None) -> Storage:
    """The storage of the app handling the request, or of the app given (the CLI, tests)."""
    storage: Storage = (app or current_app).extensions[EXTENSION]
    return storage
