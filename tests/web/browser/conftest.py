"""Browser tests: the real service in a subprocess, driven by Debian's Chromium via Playwright.

Never downloads a browser: Chromium must be at /usr/bin/chromium (script/bootstrap --test
installs it). A missing browser fails the run, it is never skipped.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = REPO / "ehdocs" / "web" / "static" / "build" / "test" / "axe.min.js"
START_TIMEOUT = 120.0  # the service imports WeasyPrint and loads the examples first
# The longest one step may wait (a page to load, a field to appear): a ceiling, not a target.
# 15 s was passed once by a step that takes about a second, on a 2-core machine running three
# other heavy processes beside the suite.
STEP_TIMEOUT_MS = 30_000


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ehdocs_command() -> list[str]:
    script = Path(sys.executable).parent / "ehdocs"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from ehdocs.cli import main; sys.exit(main())"]


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"ehdocs serve exited with {process.returncode} before it was up:\n"
                + log.read_text(errors="replace")
            )
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(
        f"ehdocs serve did not answer {url}/healthz within {START_TIMEOUT:.0f} s:\n"
        + log.read_text(errors="replace")
    )


@contextmanager
def running_service(
    data_dir: Path, settings: dict[str, str] | None = None, *options: str
) -> Iterator[str]:
    """`ehdocs serve` on a free loopback port with its own data folder and these EHDOCS_*
    settings (the developer's shell changes nothing); yields its base URL."""
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "EHDOCS_DEBUG", "EHDOCS_PROFILE", "EHDOCS_SCHEMA_DIR")
        and not k.startswith(("EHDOCS_ENV", "EHDOCS_OIDC_"))
    }
    env["EHDOCS_DATA_DIR"] = str(data_dir)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(settings or {})
    log = data_dir / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*_ehdocs_command(), "serve", "--host", "127.0.0.1", "--port", str(port), *options],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def live_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live server's data folder (its SQLite database: `ehdocs users add` writes there)."""
    return tmp_path_factory.mktemp("ehdocs-data")


@pytest.fixture(scope="session")
def live_server(live_data_dir: Path) -> Iterator[str]:
    """`ehdocs serve --load-examples` on a free loopback port, with its own data folder."""
    with running_service(live_data_dir, None, "--load-examples") as url:
        yield url


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install chromium (script/bootstrap --test does)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Browser]:
    """Debian's Chromium, headless, through Playwright's sync API (never a downloaded one)."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(chromium_path), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def context(browser: Browser, live_server: str) -> Iterator[BrowserContext]:
    """A fresh browser context (cookies, storage) per test."""
    ctx = browser.new_context(base_url=live_server, accept_downloads=True, locale="en-GB")
    ctx.set_default_timeout(STEP_TIMEOUT_MS)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in a context with nobody signed in."""
    return context.new_page()


@pytest.fixture(scope="session")
def signed_in(browser: Browser, live_server: str, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Signs in as each demo account once in the session (a code is good once per account)."""
    from .accounts import SignedIn

    return SignedIn(browser, live_server, tmp_path_factory.mktemp("signed-in"), STEP_TIMEOUT_MS)


@pytest.fixture
def page_as(signed_in: Any) -> Iterator[Callable[[str], Page]]:
    """page_as(email): a new page in a context signed in as that demo account."""
    opened: list[BrowserContext] = []

    def new_page(email: str) -> Page:
        ctx = signed_in.context(email)
        opened.append(ctx)
        return ctx.new_page()

    try:
        yield new_page
    finally:
        for ctx in opened:
            ctx.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's source, built by script/build-assets if it is not there yet."""
    if not AXE.exists() or AXE.stat().st_size == 0:
        result = subprocess.run(
            [str(REPO / "script" / "build-assets")],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if result.returncode != 0 or not AXE.exists():
            pytest.fail(
                "script/build-assets did not produce axe.min.js:\n" + result.stdout + result.stderr
            )
    return AXE.read_text(encoding="utf-8")
