"""Single sign-on against a real OpenID Connect provider on loopback (oidc-provider-mock as its
own server): the whole authorisation code flow over HTTP, the refusals, and the id_token checks
with tokens signed by a key served from a JWKS in the test."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from flask import Flask, render_template_string
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from ehdocs.access import oidc, sessions
from ehdocs.errors import ConfigError, ProviderAnswerRefused
from ehdocs.schema.model import Profile, SingleSignOn
from ehdocs.storage import get_storage
from ehdocs.storage.models import AuditEntry, Team, TeamMember, User, UserSession
from ehdocs.web.views.sso import within_service
from tests.oidc_provider import OidcProvider
from tests.web.conftest import DATABASES, QualityClient, page_of

CLIENT_ID = "ehdocs-test"
CLIENT_SECRET = "a-client-secret-for-the-tests"
CALLBACK = "http://localhost/sign-in/sso/callback"

MakeApp = Callable[..., Flask]


def sso_app(make_app: MakeApp, issuer: str, database: str = "sqlite", **config: Any) -> Flask:
    settings = {
        "PROFILE": "example-council",
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
    }
    settings.update(config)
    return make_app(database, **settings)


def person(provider: OidcProvider, *groups: str, email: str | None = None) -> tuple[str, str]:
    """A new person at the provider with these groups: (subject, e-mail)."""
    sub = f"user-{uuid.uuid4().hex[:12]}"
    address = email or f"{sub}@council.example"
    provider.set_user(sub, {"email": address, "name": "Sam Example", "groups": list(groups)})
    return sub, address


def begin(client: QualityClient, query: str = "") -> str:
    """Start signing in; returns the provider's authorisation URL the service sent us to."""
    response = client.get("/sign-in/sso" + query)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def sign_in(client: QualityClient, provider: OidcProvider, sub: str, query: str = "") -> Any:
    callback = provider.authorize(begin(client, query), sub)
    return client.get(callback)


def users(app: Flask) -> list[User]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(User).order_by(User.id)))


def team_names(app: Flask, user_id: int) -> set[str]:
    with get_storage(app).sessions() as db:
        return set(
            db.scalars(
                select(Team.name)
                .join(TeamMember, TeamMember.team_id == Team.id)
                .where(TeamMember.user_id == user_id)
            )
        )


def sign_ins(app: Flask) -> list[AuditEntry]:
    with get_storage(app).sessions() as db:
        return list(
            db.scalars(
                select(AuditEntry).where(AuditEntry.action == "sign_in").order_by(AuditEntry.id)
            )
        )


def live_sessions(app: Flask) -> list[UserSession]:
    with get_storage(app).sessions() as db:
        return list(db.scalars(select(UserSession).where(UserSession.ended_at.is_(None))))


def with_param(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def refused_page(response: Any, status: int, message: str) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    page = page_of(response)
    assert page.h1 == "You cannot sign in"
    assert message in page.text
    [again] = page.all("a", "govuk-button")  # try again, or with another account
    assert again.get("href") == "/sign-in/sso"
    assert "Sign in with your council account" in page.text


# -- the whole flow -----------------------------------------------------------------------------


@pytest.mark.parametrize("database", DATABASES)
def test_signing_in_through_the_provider_makes_the_account_with_its_role_and_teams(
    make_app: MakeApp, oidc_provider: OidcProvider, database: str
) -> None:
    app = sso_app(make_app, oidc_provider.url, database)
    client = app.test_client()
    sub, email = person(oidc_provider, "EH-Practitioners", "EH-Managers", "EH-North", "Finance")

    authorize = begin(client, "?next=/cases")
    assert authorize.startswith(oidc_provider.url + "/oauth2/authorize?")
    asked = parse_qs(urlsplit(authorize).query)
    assert asked["response_type"] == ["code"]
    assert asked["client_id"] == [CLIENT_ID]
    assert asked["redirect_uri"] == [CALLBACK]
    assert asked["code_challenge_method"] == ["S256"]
    assert len(asked["code_challenge"][0]) == 43  # base64url of a SHA-256
    assert len(asked["state"][0]) >= 20 and len(asked["nonce"][0]) >= 20
    assert "openid" in asked["scope"][0].split()

    callback = oidc_provider.authorize(authorize, sub)
    assert callback.startswith(CALLBACK + "?")
    response = client.get(callback)

    assert response.status_code == 302
    assert response.headers["Location"] == "/cases"
    [user] = users(app)
    assert (user.oidc_issuer, user.oidc_subject) == (oidc_provider.url, sub)
    assert (user.email, user.name) == (email, "Sam Example")
    assert user.role == "team_manager"  # listed before practitioner in the profile
    assert user.password_hash is None and user.totp_secret is None  # the provider does MFA
    assert team_names(app, user.id) == {"North locality"}
    [session] = live_sessions(app)
    assert (session.user_id, session.stage) == (user.id, "full")
    [entry] = sign_ins(app)
    assert (entry.outcome, entry.detail, entry.actor_id) == ("ok", "sso", user.id)
    with client:  # signed in: the next request is this person's, with their role and team
        client.get("/healthz")
        who = sessions.current()
    assert who is not None and (who.user_id, who.role) == (user.id, "team_manager")
    assert len(who.team_ids) == 1


def test_each_sign_in_sets_role_and_teams_again_from_the_groups(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    app = sso_app(make_app, oidc_provider.url)
    sub, email = person(oidc_provider, "EH-Managers", "EH-North", "EH-South")
    assert sign_in(app.test_client(), oidc_provider, sub).status_code == 302
    [first] = users(app)
    assert team_names(app, first.id) == {"North locality", "South locality"}

    oidc_provider.set_user(sub, {"email": email, "name": "Sam Moved", "groups": ["EH-Hub"]})
    assert sign_in(app.test_client(), oidc_provider, sub).status_code == 302

    [again] = users(app)
    assert again.id == first.id
    assert (again.role, again.name) == ("hub_adviser", "Sam Moved")
    assert team_names(app, again.id) == {"Family Help Front Door"}
    with get_storage(app).sessions() as db:
        hub = db.scalar(select(Team).where(Team.name == "Family Help Front Door"))
        assert hub is not None and hub.kind == "hub"


# -- refusals -----------------------------------------------------------------------------------


def test_groups_that_map_to_no_role_are_refused_with_the_page(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    app = sso_app(make_app, oidc_provider.url)
    sub, email = person(oidc_provider, "Finance", "EH-North")

    response = sign_in(app.test_client(), oidc_provider, sub)

    refused_page(
        response, 403, "Your account is not set up for this service: ask your administrator"
    )
    assert users(app) == []
    assert live_sessions(app) == []
    [entry] = sign_ins(app)
    assert (entry.outcome, entry.detail, entry.actor) == (
        "refused",
        "sso: no group maps to a role",
        email,
    )


def test_a_disabled_account_is_refused(make_app: MakeApp, oidc_provider: OidcProvider) -> None:
    app = sso_app(make_app, oidc_provider.url)
    sub, _ = person(oidc_provider, "EH-Practitioners")
    assert sign_in(app.test_client(), oidc_provider, sub).status_code == 302
    with get_storage(app).sessions() as db, db.begin():
        db.scalars(select(User)).one().disabled = True

    client = app.test_client()
    response = sign_in(client, oidc_provider, sub)

    refused_page(response, 403, "Your account has been disabled")
    assert len(live_sessions(app)) == 1  # only the first sign-in's
    assert [e.outcome for e in sign_ins(app)] == ["ok", "refused"]


def test_an_email_of_another_account_is_refused(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    app = sso_app(make_app, oidc_provider.url)
    first, email = person(oidc_provider, "EH-Practitioners")
    assert sign_in(app.test_client(), oidc_provider, first).status_code == 302
    second, _ = person(oidc_provider, "EH-Admins", email=email)

    response = sign_in(app.test_client(), oidc_provider, second)

    refused_page(response, 403, "not set up for this service")
    assert [u.role for u in users(app)] == ["practitioner"]


def test_a_callback_with_another_state_is_refused(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    app = sso_app(make_app, oidc_provider.url)
    client = app.test_client()
    sub, _ = person(oidc_provider, "EH-Practitioners")
    callback = oidc_provider.authorize(begin(client), sub)

    response = client.get(with_param(callback, state="a-state-this-browser-never-had"))

    refused_page(response, 400, "We could not check your sign-in")
    assert users(app) == [] and live_sessions(app) == []
    assert [(e.outcome, e.detail) for e in sign_ins(app)] == [("refused", "sso: state")]


def test_a_callback_from_another_browser_is_refused(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    """Login CSRF: an attacker's own code and state, sent to the victim's browser."""
    app = sso_app(make_app, oidc_provider.url)
    sub, _ = person(oidc_provider, "EH-Practitioners")
    attackers = oidc_provider.authorize(begin(app.test_client()), sub)

    response = app.test_client().get(attackers)

    refused_page(response, 400, "We could not check your sign-in")
    assert live_sessions(app) == []


def test_a_replayed_callback_is_refused(make_app: MakeApp, oidc_provider: OidcProvider) -> None:
    app = sso_app(make_app, oidc_provider.url)
    client = app.test_client()
    sub, _ = person(oidc_provider, "EH-Practitioners")
    callback = oidc_provider.authorize(begin(client), sub)
    cookie = client.get_cookie("ehdocs_session")
    assert cookie is not None
    assert client.get(callback).status_code == 302

    # The same browser again: the state was used up with the sign-in.
    refused_page(client.get(callback), 400, "We could not check your sign-in")
    # With the session cookie from before the sign-in (state and verifier still in it): the
    # provider refuses the used code.
    replay = app.test_client()
    replay.set_cookie("ehdocs_session", cookie.value)
    refused_page(replay.get(callback), 400, "We could not check your sign-in")

    assert len(live_sessions(app)) == 1
    assert [(e.outcome, e.detail) for e in sign_ins(app)] == [
        ("ok", "sso"),
        ("refused", "sso: state"),
        ("refused", "sso: provider said invalid_grant"),
    ]


def test_an_id_token_with_another_nonce_is_refused(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    """The authorisation request is changed on its way to the provider: the id_token it issues
    carries a nonce this browser's sign-in never made."""
    app = sso_app(make_app, oidc_provider.url)
    client = app.test_client()
    sub, _ = person(oidc_provider, "EH-Practitioners")
    authorize = with_param(begin(client), nonce="a-nonce-of-someone-else")

    response = client.get(oidc_provider.authorize(authorize, sub))

    refused_page(response, 400, "We could not check your sign-in")
    assert users(app) == [] and live_sessions(app) == []
    assert [e.detail for e in sign_ins(app)] == ["sso: id_token: invalid_claim"]


def test_the_pkce_challenge_is_the_s256_of_the_verifier_kept_for_the_token_request(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    """oidc-provider-mock does not check PKCE itself: check what the service sends and keeps."""
    app = sso_app(make_app, oidc_provider.url)
    client = app.test_client()
    asked = parse_qs(urlsplit(begin(client)).query)
    cookie = client.get_cookie("ehdocs_session")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    kept = serializer.loads(cookie.value)[f"_state_{oidc.PROVIDER}_{asked['state'][0]}"]["data"]

    verifier = kept["code_verifier"]
    digest = hashlib.sha256(verifier.encode()).digest()
    assert len(verifier) >= 43
    assert asked["code_challenge"] == [_b64(digest)]
    assert kept["nonce"] == asked["nonce"][0]


def test_the_provider_saying_no_is_refused(make_app: MakeApp, oidc_provider: OidcProvider) -> None:
    app = sso_app(make_app, oidc_provider.url)
    client = app.test_client()
    denied = requests.post(
        begin(client), data={"action": "deny"}, allow_redirects=False, timeout=10
    )
    response = client.get(denied.headers["location"])

    refused_page(response, 400, "We could not check your sign-in")
    assert [e.detail for e in sign_ins(app)] == ["sso: provider said access_denied"]


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("//evil.example", "/"),
        ("//evil.example/cases", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/cases/3?tab=records", "/cases/3?tab=records"),
    ],
)
def test_next_goes_only_to_a_page_of_the_service(
    make_app: MakeApp, oidc_provider: OidcProvider, target: str, lands_on: str
) -> None:
    app = sso_app(make_app, oidc_provider.url)
    sub, _ = person(oidc_provider, "EH-Practitioners")

    response = sign_in(app.test_client(), oidc_provider, sub, "?" + urlencode({"next": target}))

    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "///evil.example", "/\\evil.example", "http://x", "cases", "/a\r\nb", ""],
)
def test_within_service_refuses_anything_but_a_path(target: str) -> None:
    assert within_service(target) is None


# -- configuration ------------------------------------------------------------------------------


def test_without_a_provider_the_routes_are_not_found_and_the_button_is_not_shown(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    app = make_app("sqlite", PROFILE="example-council")
    client = app.test_client()
    assert client.get("/sign-in/sso").status_code == 404
    assert client.get("/sign-in/sso/callback?code=x&state=y").status_code == 404
    with app.test_request_context("/sign-in"):
        assert render_template_string('{% include "auth/_sso.html" %}').strip() == ""

    configured = sso_app(make_app, oidc_provider.url)
    with configured.test_request_context("/sign-in?next=/cases/4"):
        button = render_template_string('{% include "auth/_sso.html" %}')
    assert "Sign in with your council account" in button
    assert 'href="/sign-in/sso?next=/cases/4"' in button or "next=%2Fcases%2F4" in button


def test_the_registered_redirect_uri_is_used_when_set(
    make_app: MakeApp, oidc_provider: OidcProvider
) -> None:
    """Behind a TLS proxy the request's own address is not the one the provider knows."""
    registered = "https://ehdocs.council.example/sign-in/sso/callback"
    app = sso_app(make_app, oidc_provider.url, OIDC_REDIRECT_URI=registered)
    asked = parse_qs(urlsplit(begin(app.test_client())).query)
    assert asked["redirect_uri"] == [registered]


def test_the_provider_not_answering_shows_a_page(make_app: MakeApp) -> None:
    app = sso_app(make_app, "http://127.0.0.1:9")  # the discard port: nobody answers
    response = app.test_client().get("/sign-in/sso")
    refused_page(response, 503, "not answering")


def _profile(**roles: str) -> Profile:
    return Profile(name="A council", slug="test", folder=None, sso=SingleSignOn(roles=roles))


def test_a_half_made_configuration_stops_the_service() -> None:
    config = {"OIDC_ISSUER": "https://id.example", "OIDC_CLIENT_ID": "x"}
    with pytest.raises(ConfigError, match="EHDOCS_OIDC_CLIENT_SECRET"):
        oidc.settings_of(config, _profile(staff="practitioner"))
    complete = {**config, "OIDC_CLIENT_SECRET": "s"}
    with pytest.raises(ConfigError, match="no 'sso:' mapping"):
        oidc.settings_of(complete, Profile(name="A council", slug="test", folder=None))
    with pytest.raises(ConfigError, match="unknown roles: superuser"):
        oidc.settings_of(complete, _profile(staff="superuser"))
    insecure = {**complete, "OIDC_ISSUER": "http://id.example", "ENV_NAME": "production"}
    with pytest.raises(ConfigError, match="https"):
        oidc.settings_of(insecure, _profile(staff="practitioner"))
    assert oidc.settings_of({}, _profile()) is None
    assert oidc.settings_of(complete, _profile(staff="practitioner")) is not None


# -- the id_token checks, with tokens signed here and a JWKS served over HTTP -------------------


class _Issuer(BaseHTTPRequestHandler):
    """Discovery and JWKS of a provider whose tokens the test signs itself."""

    documents: dict[str, bytes] = {}

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        body = self.documents.get(self.path)
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body or b"{}")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def signing_issuer() -> Iterator[tuple[str, RSAKey]]:
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "use": "sig"})
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Issuer)
    url = f"http://127.0.0.1:{server.server_address[1]}"
    _Issuer.documents = {
        "/.well-known/openid-configuration": json.dumps(
            {
                "issuer": url,
                "authorization_endpoint": url + "/authorize",
                "token_endpoint": url + "/token",
                "jwks_uri": url + "/jwks",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        ).encode(),
        "/jwks": json.dumps(KeySet([key]).as_dict(private=False)).encode(),
    }
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield url, key
    server.shutdown()
    server.server_close()


def _token(key: RSAKey, **claims: Any) -> dict[str, Any]:
    header = {"alg": "RS256", "kid": key.kid}
    return {"id_token": jwt.encode(header, claims, key), "token_type": "Bearer"}


def _claims(issuer: str, **changes: Any) -> dict[str, Any]:
    moment = int(time.time())
    claims = {
        "iss": issuer,
        "sub": "someone",
        "aud": CLIENT_ID,
        "iat": moment,
        "exp": moment + 300,
        "nonce": "the-nonce",
        "email": "someone@council.example",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"aud": "another-client"}, "aud"),
        ({"aud": ["another-client"], "azp": CLIENT_ID}, "aud"),  # azp alone is not enough
        ({"nonce": "another-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"exp": int(time.time()) - 3600}, "exp"),
        ({"exp": None}, "exp"),
        ({"iss": "http://127.0.0.1:1"}, "iss"),
        ({"sub": None}, "sub"),
    ],
)
def test_an_id_token_failing_a_check_is_refused(
    make_app: MakeApp,
    signing_issuer: tuple[str, RSAKey],
    changes: dict[str, Any],
    why: str,
) -> None:
    issuer, key = signing_issuer
    app = sso_app(make_app, issuer)
    with app.test_request_context():
        good = oidc.id_token_claims(_token(key, **_claims(issuer)), "the-nonce")
        assert good["sub"] == "someone"  # the same checks pass a good token
        with pytest.raises(ProviderAnswerRefused) as refused:
            oidc.id_token_claims(_token(key, **_claims(issuer, **changes)), "the-nonce")
    assert refused.value.reason.startswith("id_token: ")


def test_an_id_token_signed_with_another_key_is_refused(
    make_app: MakeApp, signing_issuer: tuple[str, RSAKey]
) -> None:
    issuer, key = signing_issuer
    stranger = RSAKey.generate_key(2048, parameters={"kid": key.kid})
    app = sso_app(make_app, issuer)
    with app.test_request_context(), pytest.raises(ProviderAnswerRefused):
        oidc.id_token_claims(_token(stranger, **_claims(issuer)), "the-nonce")


def test_an_unsigned_id_token_is_refused(
    make_app: MakeApp, signing_issuer: tuple[str, RSAKey]
) -> None:
    issuer, _ = signing_issuer
    app = sso_app(make_app, issuer)
    header = b'{"alg":"none"}'
    body = json.dumps(_claims(issuer)).encode()
    unsigned = ".".join(_b64(part) for part in (header, body)) + "."
    with app.test_request_context(), pytest.raises(ProviderAnswerRefused):
        oidc.id_token_claims({"id_token": unsigned}, "the-nonce")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
