"""A real OpenID Connect provider on loopback for the tests: `oidc-provider-mock` run as its own
server process (uvicorn), answering discovery, JWKS, authorisation and token requests over HTTP.

Its authorisation page is a form where the tester types the subject (`sub`); the claims the
provider puts in that person's id_token are set beforehand with `set_user`. It issues tokens to
any client id and secret, and requires a nonce (as ehdocs always sends one).

Use the fixture from a conftest or a test module::

    from tests.oidc_provider import oidc_provider  # noqa: F401
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.mailservers import LOOPBACK, free_port

START_TIMEOUT = 30.0


class OidcProvider:
    """One provider process; `url` is its issuer (http://127.0.0.1:PORT)."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        script = Path(sys.executable).parent / "oidc-provider-mock"
        command = [str(script)] if script.exists() else [sys.executable, "-m", "oidc_provider_mock"]
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [*command, "--host", LOOPBACK, "--port", str(self.port), "--require-nonce"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                discovery = requests.get(self.url + "/.well-known/openid-configuration", timeout=2)
                if discovery.status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"oidc-provider-mock did not start:\n{self.log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        """What the provider will say about `sub` in its id_token (email, name, groups…)."""
        response = requests.put(
            f"{self.url}/users/{urllib.parse.quote(sub, safe='')}", json=claims, timeout=10
        )
        assert response.status_code == 204, response.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Fill the provider's authorisation form as `sub`, as a browser would; returns where
        the provider sends the browser back (the service's callback, with code and state)."""
        response = requests.post(
            authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["location"]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    provider = OidcProvider(tmp_path_factory.mktemp("oidc") / "provider.log")
    provider.start()
    yield provider
    provider.stop()
