"""The hub's view of a received form shows what the partner wrote outside the answer boxes, a
box they added, and answer boxes that share a name, as "Also on the form"; answers recovered
from a flattened copy, marked for checking; and a picture kept for a person (issue 16)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from tests.fillable.pdfium_fill import pdfium_fill
from tests.ingest.hostile import blank_pdf, edited, good_form
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


def test_answers_read_from_a_flattened_copy_are_marked_for_checking(
    client: QualityClient, tmp_path: Path
) -> None:
    from tests.ingest.test_recovered_forms import PLANTED, _flattened

    filled = tmp_path / "filled.pdf"
    filled.write_bytes(pdfium_fill(blank_pdf(), PLANTED))
    response = upload(client, _flattened("pdftk", filled))
    page = client.page(response.headers["Location"])
    text = page.text
    assert "Please check every answer against the original file" in text
    assert "flattened into the page" in text
    assert "Hill Primary School" in text  # the answers are shown, read from the page
    assert "Could not be read" not in text


def test_a_photo_that_is_not_a_form_is_for_a_person_not_refused(client: QualityClient) -> None:
    picture = io.BytesIO()
    Image.new("RGB", (900, 1200), (250, 250, 250)).save(picture, "JPEG")
    response = upload(client, picture.getvalue(), name="IMG_0042.jpg")
    page = client.page(response.headers["Location"])
    assert "for a person at the hub to look at" in page.text
    queue = client.page("/hub/").text
    assert "A picture for a person to read" in queue
