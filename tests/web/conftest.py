"""Web fixtures: a real PostgreSQL server for the session, apps on SQLite and PostgreSQL, and
a test client that checks the quality of every page it gets (as GOV.UK Notify admin's does):
parses strictly as HTML, a title, lang="en-GB", unique ids, every control labelled, one <h1>.
CSRF protection stays on: forms are posted the way a browser would, token included."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import html5lib
import jinja2
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict
from werkzeug.test import TestResponse

from ehdocs.storage import get_storage
from ehdocs.web import create_app
from tests.web.accounts import hub_client
from tests.web.pg import PostgresServer, PostgresUnavailable

DATABASES = ("sqlite", "postgresql")
SHARED_DATABASE = "ehdocs_test"  # emptied for each PostgreSQL app; see AppBuilder.build
NOT_TYPED = {"hidden", "submit", "button", "reset", "image"}  # inputs that need no label

# -- PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server on loopback for the whole session, with `ehdocs_test`."""
    server = PostgresServer()
    problem = None
    try:
        server.start()
        server.create_database(SHARED_DATABASE)
    except PostgresUnavailable as exc:
        problem = str(exc)
    if problem:  # never a skip: without PostgreSQL half of the database tests would not run
        server.stop()
        pytest.fail(problem, pytrace=False)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_url(pg_server: PostgresServer) -> str:
    """postgresql+psycopg://ehdocs@127.0.0.1:<port>/ehdocs_test"""
    return pg_server.url(SHARED_DATABASE)


# -- apps ---------------------------------------------------------------------------------------


class _Templates:
    """Compiled templates shared by every app of the session: each app has its own Jinja
    environment, and compiling GOV.UK Frontend's macros again for each test is most of its time."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.compiled.get(key)

    def set(self, key: str, value: bytes, timeout: int | None = None) -> None:
        self.compiled[key] = value


TEMPLATE_CACHE = jinja2.MemcachedBytecodeCache(_Templates())


class AppBuilder:
    """Makes apps on a fresh SQLite file or a fresh PostgreSQL database, and closes them.

    PostgreSQL apps use `ehdocs_test`, emptied first; one made while another is still open
    gets a database of its own, dropped when it is closed."""

    def __init__(
        self, tmp_path_factory: pytest.TempPathFactory, pg: Callable[[], PostgresServer]
    ) -> None:
        self.tmp = tmp_path_factory
        self.pg = pg
        self.databases: dict[int, str | None] = {}  # id(app) -> its own database, to drop

    def build(self, database: str = "sqlite", **config: Any) -> Flask:
        folder = self.tmp.mktemp(database)
        pg_name = None
        if database == "sqlite":
            url = f"sqlite:///{folder / 'db' / 'ehdocs.sqlite3'}"
        elif database == "postgresql":
            if self.databases:  # another PostgreSQL app is open: this one gets its own
                pg_name = self.pg().create_database()
            else:
                self.pg().empty_database(SHARED_DATABASE)
            url = self.pg().url(pg_name or SHARED_DATABASE)
        else:
            raise ValueError(database)
        settings: dict[str, Any] = {
            "TESTING": True,
            "ENV_NAME": "test",
            "DATABASE_URL": url,
            "DATA_DIR": folder / "data",
        }
        settings.update(config)
        app = create_app(settings)
        app.jinja_env.bytecode_cache = TEMPLATE_CACHE
        app.test_client_class = QualityClient
        if database == "postgresql":
            self.databases[id(app)] = pg_name
        return app

    def close(self, app: Flask) -> None:
        get_storage(app).close()
        name = self.databases.pop(id(app), None)
        if name:
            self.pg().drop_database(name)


@pytest.fixture(scope="session")
def app_builder(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AppBuilder:
    # The PostgreSQL server starts only when a test first asks for a PostgreSQL app.
    return AppBuilder(tmp_path_factory, lambda: request.getfixturevalue("pg_server"))


@pytest.fixture
def make_app(app_builder: AppBuilder) -> Iterator[Callable[..., Flask]]:
    """make_app("sqlite" | "postgresql", **config): a new app, closed after the test."""
    made: list[Flask] = []

    def make(database: str = "sqlite", **config: Any) -> Flask:
        app = app_builder.build(database, **config)
        made.append(app)
        return app

    yield make
    for app in made:
        app_builder.close(app)


@pytest.fixture(params=DATABASES)
def app(request: pytest.FixtureRequest, make_app: Callable[..., Flask]) -> Flask:
    """An app on a fresh, empty database: once on SQLite, once on PostgreSQL."""
    return make_app(request.param)


@pytest.fixture
def client(app: Flask) -> QualityClient:
    """A client signed in as a hub adviser: the cases the tests make are with the hub (not yet
    allocated to a team), which a hub adviser sees and edits, and the hub queue is theirs."""
    test_client = hub_client(app)
    assert isinstance(test_client, QualityClient)
    return test_client


@pytest.fixture
def anonymous(app: Flask) -> QualityClient:
    """A client nobody has signed in to."""
    test_client = app.test_client()
    assert isinstance(test_client, QualityClient)
    return test_client


# -- pages --------------------------------------------------------------------------------------


def _classes(element: ET.Element) -> list[str]:
    return (element.get("class") or "").split()


def _text(element: ET.Element) -> str:
    """The words a reader sees in `element` (scripts left out), whitespace collapsed."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if node.tag == "script":
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")

    walk(element)
    return " ".join("".join(parts).split())


class Page:
    """A parsed HTML response, with what tests ask of pages."""

    def __init__(self, response: TestResponse) -> None:
        self.response = response
        self.html = response.get_data(as_text=True)
        parser = html5lib.HTMLParser(
            tree=html5lib.getTreeBuilder("etree", ET), strict=True, namespaceHTMLElements=False
        )
        try:
            self.root: ET.Element = parser.parse(self.html)
        except html5lib.html5parser.ParseError as exc:
            (line, column), code, _ = parser.errors[-1]
            near = self.html.splitlines()[line - 1][max(0, column - 60) : column + 20]
            raise AssertionError(
                f"not well-formed HTML at {line}:{column} ({code or exc}): …{near}…"
            ) from None
        self.parents = {child: parent for parent in self.root.iter() for child in parent}

    # -- finding --------------------------------------------------------------------------

    def all(self, tag: str, cls: str | None = None, **attrs: str) -> list[ET.Element]:
        found = []
        for element in self.root.iter(tag):
            if cls is not None and cls not in _classes(element):
                continue
            if all(element.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items()):
                found.append(element)
        return found

    def one(self, tag: str, cls: str | None = None, **attrs: str) -> ET.Element:
        found = self.all(tag, cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} {cls or ''} {attrs}>, found {len(found)}"
        return found[0]

    def by_id(self, element_id: str) -> ET.Element | None:
        return next((e for e in self.root.iter() if e.get("id") == element_id), None)

    def ancestors(self, element: ET.Element) -> Iterator[ET.Element]:
        while element in self.parents:
            element = self.parents[element]
            yield element

    @property
    def text(self) -> str:
        body = self.root.find("body")
        return _text(body if body is not None else self.root)

    @property
    def title(self) -> str:
        title = self.root.find("head/title")
        return _text(title) if title is not None else ""

    @property
    def h1(self) -> str:
        return _text(self.one("h1"))

    @property
    def error_summary(self) -> list[tuple[str, str | None]]:
        """(text, href) of each item of the GOV.UK error summary; href None without a link."""
        items = []
        for summary in self.all("div", "govuk-error-summary"):
            for item in summary.iter("li"):
                link = item.find("a")
                items.append((_text(item), link.get("href") if link is not None else None))
        return items

    @property
    def banners(self) -> list[str]:
        return [_text(b) for b in self.all("div", "govuk-notification-banner")]

    @property
    def csrf_token(self) -> str:
        return self.all("input", name="csrf_token")[0].get("value") or ""

    @property
    def version(self) -> str:
        return self.all("input", name="version")[0].get("value") or ""

    def value(self, name: str) -> str | None:
        """What a control named `name` shows now (text, selected option, textarea content)."""
        for element in self.root.iter():
            if element.get("name") != name:
                continue
            if element.tag == "textarea":
                return element.text or ""
            if element.tag == "select":
                chosen = [o for o in element.iter("option") if o.get("selected") is not None]
                return chosen[0].get("value") if chosen else None
            if element.tag == "input" and element.get("type") in ("radio", "checkbox"):
                if element.get("checked") is not None:
                    return element.get("value")
                continue
            if element.tag == "input":
                return element.get("value") or ""
        return None

    # -- forms, as a browser sends them -------------------------------------------------------

    def main_forms(self) -> list[ET.Element]:
        """The page's forms, less the header's "Sign out" (every signed-in page has it)."""
        return [f for f in self.all("form") if not (f.get("action") or "").endswith("/sign-out")]

    def form(self, action: str | None = None) -> ET.Element:
        """The page's POST form (to `action`): without one named, the first in the page's
        main content, never the header's "Sign out"."""
        forms = [f for f in self.all("form") if (f.get("method") or "").lower() == "post"]
        if action is not None:
            forms = [f for f in forms if f.get("action") == action]
        else:
            forms = [f for f in forms if not (f.get("action") or "").endswith("/sign-out")]
        assert forms, f"no POST form{' to ' + action if action else ''} on the page"
        return forms[0]

    def form_data(self, action: str | None = None) -> MultiDict[str, str]:
        """The successful controls of a form (no submit button: the caller picks one)."""
        data: MultiDict[str, str] = MultiDict()
        for element in self.form(action).iter():
            name = element.get("name")
            if not name or element.get("disabled") is not None:
                continue
            kind = (element.get("type") or "text").lower()
            if element.tag == "input" and kind in ("submit", "button", "reset", "image"):
                continue
            if element.tag == "input" and kind in ("radio", "checkbox"):
                if element.get("checked") is not None:
                    data.add(name, element.get("value") or "on")
            elif element.tag == "input":
                data.add(name, element.get("value") or "")
            elif element.tag == "textarea":
                data.add(name, element.text or "")
            elif element.tag == "select":
                options = list(element.iter("option"))
                chosen = [o for o in options if o.get("selected") is not None] or options[:1]
                for option in chosen:
                    data.add(name, option.get("value", _text(option)))
        return data

    # -- quality ----------------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """What is wrong with this page, in the GOV.UK Notify admin client's spirit."""
        problems: list[str] = []
        if not self.title:
            problems.append("no <title>")
        if self.root.get("lang") != "en-GB":
            problems.append(f'<html lang="{self.root.get("lang")}">, not "en-GB"')
        ids = [e.get("id") for e in self.root.iter() if e.get("id") is not None]
        for element_id, count in _counts(ids).items():
            if count > 1:
                problems.append(f'id="{element_id}" is used {count} times')
        known = set(ids)
        h1s = self.all("h1")
        if len(h1s) != 1:
            problems.append(f"{len(h1s)} <h1> elements, not one")
        problems += self._label_problems(known)
        for element in self.root.iter():
            for token in (element.get("aria-describedby") or "").split():
                if token not in known:
                    problems.append(f'aria-describedby="{token}" names no element')
        for link in self.all("a"):
            href = link.get("href") or ""
            if href.startswith("#") and len(href) > 1 and href[1:] not in known:
                problems.append(f'link to "{href}" ({_text(link)!r}) has no target on the page')
        if "Traceback" in self.html:
            problems.append("a Python traceback on the page")
        return problems

    def _label_problems(self, known: set[str | None]) -> list[str]:
        problems = []
        labelled = {label.get("for") for label in self.all("label")}
        for label_for in labelled - {None}:
            if label_for not in known:
                problems.append(f'<label for="{label_for}"> names no element')
        controls = [*self.all("input"), *self.all("select"), *self.all("textarea")]
        for control in controls:
            kind = (control.get("type") or "text").lower()
            if control.tag == "input" and kind in NOT_TYPED:
                continue
            name = control.get("name") or control.get("id")
            if control.get("id") in labelled and control.get("id") is not None:
                continue
            if kind in ("radio", "checkbox") and control.tag == "input":
                problems.append(f'{kind} "{name}" has no <label for>')
                continue
            if not any(
                f.tag == "fieldset" and f.find("legend") is not None
                for f in self.ancestors(control)
            ):
                problems.append(f'<{control.tag} name="{name}"> has no label or fieldset legend')
        return problems


def _counts(items: list[Any]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return out


# -- the client ---------------------------------------------------------------------------------

Changes = Mapping[str, "str | list[str] | None"]


class QualityClient(FlaskClient):
    """A Flask test client that fails a test on any HTML page of poor quality, and posts forms
    the way a browser does (what the page holds, CSRF token and case version included)."""

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        response = super().open(*args, **kwargs)
        html = response.mimetype == "text/html" and not 300 <= response.status_code < 400
        if html:
            page = page_of(response)
            problems = page.problems()
            where = f"{response.request.method} {response.request.path}"
            assert not problems, f"page quality: {where}:\n  " + "\n  ".join(problems)
        return response

    def page(self, url: str, status: int = 200) -> Page:
        response = self.get(url)
        assert response.status_code == status, (
            f"GET {url}: {response.status_code}, not {status}\n{response.get_data(as_text=True)}"
        )
        return page_of(response)

    def submit(
        self,
        url: str,
        changes: Changes | None = None,
        *,
        action: str | None = None,
        form_action: str | None = None,
        page: Page | None = None,
    ) -> TestResponse:
        """GET `url` (or use `page`), change some fields, press a button, POST the form."""
        page = page or self.page(url)
        data = page.form_data(form_action)
        for name, value in (changes or {}).items():
            if value is None:
                data.poplist(name)
            else:
                data.setlist(name, value if isinstance(value, list) else [value])
        if action is not None:
            data.add("action", action)
        target = page.form(form_action).get("action") or url
        return self.post(target, data=data)


def page_of(response: TestResponse) -> Page:
    """The parsed page of a response, parsed once (html5lib is thorough, not quick)."""
    page = getattr(response, "ehdocs_page", None)
    if page is None:
        page = Page(response)
        response.ehdocs_page = page  # type: ignore[attr-defined]
    return page


@pytest.fixture
def parse() -> Callable[[TestResponse], Page]:
    """parse(response) -> Page, for POST responses and anything else not got by `page()`."""
    return page_of
