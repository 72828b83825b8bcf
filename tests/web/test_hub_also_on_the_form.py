"""The hub's view of a received form shows what the partner wrote outside the answer boxes, a
box they added, and answer boxes that share a name, as "Also on the form" (issue 16)."""

from __future__ import annotations

from tests.ingest.hostile import edited, good_form
from tests.ingest.test_what_partners_send import _with_hidden_twin_and_notes
from tests.web.conftest import QualityClient
from tests.web.test_hub import _stop_parsers, upload  # noqa: F401


def test_what_was_written_outside_the_boxes_is_shown_to_the_adviser(
    client: QualityClient,
) -> None:
    response = upload(client, edited(good_form(), _with_hidden_twin_and_notes))
    page = client.page(response.headers["Location"])
    text = page.text
    assert "Also on the form (4)" in text
    assert "Mum asked us to call after 3pm" in text
    assert "Signed on behalf of the school" in text
    assert "An answer box added to the form, named 'partner_extra': Dad works nights" in text
    assert "2 answer boxes named 'referrer__name'" in text
    assert "Jo Bloggs" in text
