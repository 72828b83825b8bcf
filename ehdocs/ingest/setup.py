"""An Ingestor wired to the service's storage and mail server, from the same configuration as the
web service (EHDOCS_* and DATABASE_URL; see ehdocs.storage.config)."""

from __future__ import annotations

from typing import Any

from ehdocs.errors import MailConfigError
from ehdocs.ingest.reply import Mailer
from ehdocs.ingest.sandbox import ParserPool
from ehdocs.ingest.service import Ingestor
from ehdocs.schema import FormSet, load_formset
from ehdocs.storage import Storage
from ehdocs.storage.sealing import seal_keys


def mailer_from(config: dict[str, Any], formset: FormSet) -> Mailer | None:
    url = config.get("SMTP_URL")
    if not url:
        return None
    sender = config.get("MAIL_FROM") or formset.profile.contact.get("hub_email")
    if not sender:
        raise MailConfigError(
            "Set EHDOCS_MAIL_FROM to the address replies come from (the hub's mailbox)"
        )
    return Mailer(str(url), str(sender))


def ingestor_for(
    storage: Storage, config: dict[str, Any], pool: ParserPool | None = None
) -> Ingestor:
    """The Ingestor of an open storage: the web service's uploads and `ehdocs ingest` alike."""
    formset = storage.cases.formset
    return Ingestor(
        storage.sessions,
        formset,
        storage.blobs,
        pool=pool,
        mailer=mailer_from(config, formset),
        authserv_id=config.get("MAIL_AUTHSERV_ID") or None,
        seal=seal_keys(config),
    )


def ingestor_from_config(
    config: dict[str, Any], pool: ParserPool | None = None, formset: FormSet | None = None
) -> Ingestor:
    formset = formset or load_formset(config.get("PROFILE"))
    return ingestor_for(Storage.open(config, formset), config, pool)
