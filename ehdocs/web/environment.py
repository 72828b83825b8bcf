"""Which environment the service runs in (EHDOCS_ENV): development, test, staging or
production, matched whatever its spelling; an unknown name is refused, so a typo can never
leave a live service running without its production protections (Secure cookies, HSTS, no
debug, no demo accounts, no development server)."""

from __future__ import annotations

from ehdocs.errors import ConfigError

DEVELOPMENT = "development"
TEST = "test"
STAGING = "staging"
PRODUCTION = "production"
KNOWN = (DEVELOPMENT, TEST, STAGING, PRODUCTION)
ALIASES = {"dev": DEVELOPMENT, "testing": TEST, "prod": PRODUCTION, "live": PRODUCTION}


def environment_name(value: str | None) -> str:
    """The canonical name of `value` (EHDOCS_ENV); unset or empty means development."""
    name = (value or "").strip().lower()
    if not name:
        return DEVELOPMENT
    name = ALIASES.get(name, name)
    if name not in KNOWN:
        raise ConfigError(
            f"EHDOCS_ENV is {value!r}, which ehdocs does not know: set it to one of "
            + ", ".join(KNOWN)
            + " (a live service uses production)"
        )
    return name


def is_production(value: str | None) -> bool:
    """Whether `value` names production, however it is spelt (an unknown name is refused)."""
    return environment_name(value) == PRODUCTION
