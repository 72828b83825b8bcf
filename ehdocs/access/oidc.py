"""Single sign-on with the council's identity provider: OpenID Connect's authorisation code flow
with PKCE (S256), state and nonce, through Authlib; the id_token checked (signature against the
provider's JWKS, issuer, audience, expiry, nonce); the groups it carries mapped to an account's
role and teams by the council profile's `sso:`.

The identity provider does the second factor for these accounts: ehdocs' own TOTP is for local
accounts only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from ehdocs.access.roles import ROLES
from ehdocs.errors import (
    AccountDisabled,
    ConfigError,
    NotSetUp,
    ProviderAnswerRefused,
    ProviderUnavailable,
)
from ehdocs.schema.model import Profile, SingleSignOn, SsoTeam
from ehdocs.storage import get_storage
from ehdocs.storage.models import Team, TeamMember, User, now

PROVIDER = "council"  # Authlib's name for the client; its state is kept under this name
EXTENSION = "ehdocs.oidc"
SCOPE = "openid email profile"
TIMEOUT_SECONDS = 10  # every call to the provider: discovery, JWKS, token
LEEWAY_SECONDS = 60  # clock skew allowed on exp and iat


@dataclass(frozen=True)
class Settings:
    """The identity provider this service trusts, and what its groups mean here."""

    issuer: str
    client_id: str
    mapping: SingleSignOn


@dataclass(frozen=True)
class Identity:
    """Who the identity provider says signed in, from a checked id_token."""

    issuer: str
    subject: str
    email: str
    name: str
    groups: tuple[str, ...]


# -- set up -------------------------------------------------------------------------------------


def init_app(app: Flask, profile: Profile) -> None:
    """Register the provider when EHDOCS_OIDC_ISSUER is set; refuse a half-made configuration."""
    settings = settings_of(app.config, profile)
    if settings is None:
        return
    oauth = OAuth(app)
    oauth.register(
        PROVIDER,
        client_id=settings.client_id,
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=settings.issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs=dict(
            scope=app.config.get("OIDC_SCOPE") or SCOPE,
            code_challenge_method="S256",
            default_timeout=TIMEOUT_SECONDS,
        ),
    )
    app.extensions[EXTENSION] = settings


def settings_of(config: Mapping[str, Any], profile: Profile) -> Settings | None:
    issuer = config.get("OIDC_ISSUER")
    if not issuer:
        return None
    missing = [
        f"EHDOCS_{key}" for key in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET") if not config.get(key)
    ]
    if missing:
        raise ConfigError(f"EHDOCS_OIDC_ISSUER is set: set {' and '.join(missing)} too")
    if config.get("ENV_NAME") == "production" and not issuer.startswith("https://"):
        raise ConfigError("EHDOCS_OIDC_ISSUER must be an https:// address in production")
    if profile.sso is None:
        raise ConfigError(
            f"EHDOCS_OIDC_ISSUER is set but the profile '{profile.slug}' has no 'sso:' mapping"
            " of groups to roles: nobody could sign in (see form_schemas/README.md)"
        )
    unknown = sorted({role for role in profile.sso.roles.values() if role not in ROLES})
    if unknown:
        raise ConfigError(
            f"the profile '{profile.slug}' maps groups to unknown roles: {', '.join(unknown)}"
            f" (expected one of: {', '.join(ROLES)})"
        )
    return Settings(str(issuer), str(config["OIDC_CLIENT_ID"]), profile.sso)


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def _settings() -> Settings:
    settings: Settings = current_app.extensions[EXTENSION]
    return settings


def _client() -> Any:
    oauth: OAuth = current_app.extensions["authlib.integrations.flask_client"]
    return oauth.create_client(PROVIDER)


# -- the flow -----------------------------------------------------------------------------------


def begin(redirect_uri: str) -> Response:
    """Send the browser to the provider. Authlib keeps state, nonce and the PKCE verifier in
    this browser's session until the callback."""
    try:
        response: Response = _client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as exc:
        # Discovery failed: the provider is down, or its metadata is not usable.
        raise ProviderUnavailable(f"discovery: {type(exc).__name__}") from exc
    return response


def finish() -> Identity:
    """The callback: the state must be this browser's, the code is exchanged with the PKCE
    verifier, and the id_token must pass every check. Each state is used once."""
    try:
        token = _client().authorize_access_token(
            claims_options=claims_options(), leeway=LEEWAY_SECONDS
        )
    except MismatchingStateError as exc:
        raise ProviderAnswerRefused("state") from exc
    except OAuthError as exc:
        raise ProviderAnswerRefused(f"provider said {exc.error}") from exc
    except (JoseError, AuthlibBaseError) as exc:
        raise ProviderAnswerRefused(f"id_token: {exc.error}") from exc
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(f"token: {type(exc).__name__}") from exc
    claims = token.get("userinfo")
    if not claims:
        raise ProviderAnswerRefused("no id_token")
    return identity_of(claims)


def id_token_claims(token: Mapping[str, Any], nonce: str) -> dict[str, Any]:
    """Check a token response's id_token as the callback does: signature (the provider's JWKS),
    issuer, audience, expiry and nonce. Raises ProviderAnswerRefused."""
    try:
        claims = _client().parse_id_token(
            dict(token), nonce, claims_options=claims_options(), leeway=LEEWAY_SECONDS
        )
    except (JoseError, AuthlibBaseError) as exc:
        raise ProviderAnswerRefused(f"id_token: {exc.error}") from exc
    if claims is None:
        raise ProviderAnswerRefused("no id_token")
    return dict(claims)


def claims_options() -> dict[str, Any]:
    """What the id_token must say. Authlib checks the audience only through `azp` unless asked:
    OpenID Connect Core 3.1.3.7 wants our client id in `aud`."""
    settings = _settings()
    issuer = settings.issuer.rstrip("/")
    return {
        "iss": {"essential": True, "values": [issuer, issuer + "/"]},
        "aud": {"essential": True, "value": settings.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
    }


def identity_of(claims: Mapping[str, Any]) -> Identity:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise NotSetUp("no email claim")
    email = email.strip().lower()
    name = claims.get("name")
    return Identity(
        issuer=str(claims["iss"]),
        subject=str(claims["sub"]),
        email=email,
        name=name.strip() if isinstance(name, str) and name.strip() else email,
        groups=_groups(claims, _settings().mapping.groups_claim),
    )


def _groups(claims: Mapping[str, Any], path: str) -> tuple[str, ...]:
    """The person's groups; a dotted path reads a nested claim (Keycloak's realm_access.roles)."""
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list | tuple):
        return tuple(str(group) for group in value)
    return ()


# -- the account --------------------------------------------------------------------------------


def account_for(identity: Identity) -> int:
    """The account of this identity, made on first sign-in, its role and teams set again from
    the groups. Returns its id; raises NotSetUp or AccountDisabled."""
    mapping = _settings().mapping
    role = next((r for group, r in mapping.roles.items() if group in identity.groups), None)
    with get_storage().sessions() as db, db.begin():
        user = db.scalar(
            select(User).where(
                User.oidc_issuer == identity.issuer, User.oidc_subject == identity.subject
            )
        )
        if user is not None and user.disabled:
            raise AccountDisabled("account disabled", identity.email)
        if role is None:
            raise NotSetUp("no group maps to a role", identity.email)
        other = db.scalar(select(User.id).where(User.email == identity.email))
        if other is not None and (user is None or other != user.id):
            raise NotSetUp("email belongs to another account", identity.email)
        if user is None:
            user = User(oidc_issuer=identity.issuer, oidc_subject=identity.subject)
            db.add(user)
        user.email, user.name, user.role = identity.email, identity.name, role
        user.last_sign_in_at = now()
        db.flush()
        teams = [
            _team(db, team) for group, team in mapping.teams.items() if group in identity.groups
        ]
        db.execute(delete(TeamMember).where(TeamMember.user_id == user.id))
        db.add_all(TeamMember(user_id=user.id, team_id=team_id) for team_id in set(teams))
        return user.id


def _team(db: Session, team: SsoTeam) -> int:
    """The team's id, made the first time someone of its group signs in."""
    found = db.scalar(select(Team.id).where(Team.name == team.name))
    if found is not None:
        return found
    row = Team(name=team.name, kind=team.kind)
    db.add(row)
    db.flush()
    return row.id
