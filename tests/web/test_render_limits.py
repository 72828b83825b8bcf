"""The web's answer when a document or pack passes its render limit: a 503 page saying what to do,
and nothing of the render left running."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from ehdocs.storage import get_storage
from tests.render.test_limits import Watcher, heavy_raw, still_running
from tests.web.accounts import hub_client


def test_the_web_answers_503_with_what_to_do(
    make_app: Callable[..., Flask], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EHDOCS_RENDER_TIMEOUT", "1")
    app = make_app("sqlite")
    case_id = get_storage(app).cases.create(heavy_raw()).id
    client = hub_client(app)
    with Watcher() as watcher:
        response = client.get(f"/cases/{case_id}/pack/professional.pdf")
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "This document is too large to produce" in page
    assert "one at a time" in page
    assert watcher.seen and still_running(watcher.seen) == set()
