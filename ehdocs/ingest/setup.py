"""An Ingestor wired to the service's database, file store and mail server, from the same
configuration as the web service (EHDOCS_* and DATABASE_URL; see ehdocs.web.config)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ehdocs.ingest.blobs import BlobStore
from ehdocs.ingest.reply import Mailer
from ehdocs.ingest.sandbox import ParserPool
from ehdocs.ingest.service import Ingestor
from ehdocs.schema import FormSet, load_formset


def received_folder(config: dict[str, Any]) -> Path:
    return Path(config["DATA_DIR"]) / "received"


def mailer_from(config: dict[str, Any], formset: FormSet) -> Mailer | None:
    url = config.get("SMTP_URL")
    if not url:
        return None
    sender = config.get("MAIL_FROM") or formset.profile.contact.get("hub_email")
    if not sender:
        from ehdocs.ingest.reply import MailConfigError

        raise MailConfigError(
            "Set EHDOCS_MAIL_FROM to the address replies come from (the hub's mailbox)"
        )
    return Mailer(str(url), str(sender))


def ingestor_from_config(
    config: dict[str, Any], pool: ParserPool | None = None, formset: FormSet | None = None
) -> Ingestor:
    from ehdocs.web.db import make_engine, migrate, session_factory

    formset = formset or load_formset(config.get("PROFILE"))
    engine = make_engine(config["DATABASE_URL"])
    migrate(engine)  # a fresh database is made here, as the web service would
    return Ingestor(
        session_factory(engine),
        formset,
        BlobStore(received_folder(config)),
        pool=pool,
        mailer=mailer_from(config, formset),
    )
