"""Direct work with a child attached to the case (#13): a photo is kept upright and without its
EXIF data (the GPS position that would say where the family lives), a PDF without its
metadata and scripts; what cannot be kept is refused with what to do; the file is listed in
the chronology, downloaded by the case's people only, and left out of a family copy unless
marked for the family."""

from __future__ import annotations

import datetime as dt
import io

import pikepdf
from flask import Flask
from PIL import Image

from ehdocs.storage import get_storage
from tests.factories import make_case
from tests.web.accounts import hub_client, signed_in_client

NEW = "/cases/{}/records/attachment/new"
TODAY = dt.date.today()


def _fields(title: str = "Jay's drawing of home", for_family: str = "no") -> dict[str, str]:
    return {
        "attachment-title": title,
        "attachment-kind": "drawing",
        "attachment-date-day": str(TODAY.day),
        "attachment-date-month": str(TODAY.month),
        "attachment-date-year": str(TODAY.year),
        "attachment-for_family": for_family,
    }


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (40, 20), (200, 30, 30))  # wider than tall, as the sensor saw it
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: the phone was held upright (rotate 90° to show)
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 30.0, 12.0)  # latitude: where the family lives
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _post(client, url: str, fields: dict[str, str], data: bytes | None, name: str = "x.jpg"):  # type: ignore[no-untyped-def]
    page = client.page(url)
    form = page.form_data(None)
    for key, value in fields.items():
        form.setlist(key, [value])
    if data is not None:
        form.setlist("file", [(io.BytesIO(data), name)])
    return client.post(url, data=form, content_type="multipart/form-data")


def test_a_photo_is_kept_upright_without_its_exif(app: Flask) -> None:
    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    sent = _post(client, NEW.format(case_id), _fields(), _photo_with_gps())
    assert sent.status_code == 302, sent.get_data(as_text=True)
    record = get_storage(app).cases.get(case_id).raw["attachments"][0]
    assert record["media_type"] == "image/jpeg" and len(record["blob"]) == 64
    got = client.get(f"/cases/{case_id}/records/attachment/{record['id']}/file")
    assert got.status_code == 200 and got.mimetype == "image/jpeg"
    assert "attachment" in got.headers["Content-Disposition"]
    assert "drawing" not in got.headers["Content-Disposition"]  # no title in a file name
    kept = Image.open(io.BytesIO(got.data))
    assert kept.size == (20, 40)  # turned the way the camera was held
    assert not kept.getexif() and b"PhoneMaker" not in got.data
    listing = client.page(f"/cases/{case_id}/records/attachment").html
    assert "Download" in listing and record["blob"] not in listing


def test_a_pdf_loses_its_metadata_and_scripts(app: Flask) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = "Kerry Morgan"
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
    )
    out = io.BytesIO()
    pdf.save(out)
    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    sent = _post(client, NEW.format(case_id), _fields("School letter"), out.getvalue(), "l.pdf")
    assert sent.status_code == 302, sent.get_data(as_text=True)
    record = get_storage(app).cases.get(case_id).raw["attachments"][0]
    kept = get_storage(app).attachments.get(record["blob"])
    assert kept is not None and b"Kerry Morgan" not in kept and b"JavaScript" not in kept
    assert len(pikepdf.open(io.BytesIO(kept)).pages) == 1


def test_what_cannot_be_kept_is_refused_with_what_to_do(app: Flask) -> None:
    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    heic = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 100
    for data, name, words in (
        (heic, "IMG_1.HEIC", "iPhone photo in HEIC format"),
        (b"PK\x03\x04" + b"\x00" * 100, "work.docx", "Save or print it as a PDF"),
        (b"hello", "notes.txt", "This is not a photo (JPEG or PNG) or a PDF"),
        (b"\xff\xd8\xff" + b"\x00" * 50, "broken.jpg", "could not be read"),
        (None, "", "Select the file to attach"),
    ):
        sent = _post(client, NEW.format(case_id), _fields(), data, name)
        assert sent.status_code == 200, name
        html = sent.get_data(as_text=True)
        assert words in html and "There is a problem" in html, name
        assert "Jay&#39;s drawing of home" in html or "Jay's drawing of home" in html
    assert not get_storage(app).cases.get(case_id).raw.get("attachments")


def test_the_family_copy_leaves_out_attachments_not_marked_for_it(app: Flask) -> None:
    from ehdocs.render.audience import for_audience

    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    _post(client, NEW.format(case_id), _fields("For the family", "yes"), _photo_with_gps())
    _post(client, NEW.format(case_id), _fields("Professional only", "no"), _photo_with_gps())
    case = get_storage(app).cases.get(case_id).case
    family = for_audience(case, "family")
    assert [a["title"] for a in family.records("attachments")] == ["For the family"]
    assert len(for_audience(case, "professional").records("attachments")) == 2


def test_only_the_case_people_download_it(app: Flask) -> None:
    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    _post(client, NEW.format(case_id), _fields(), _photo_with_gps())
    record = get_storage(app).cases.get(case_id).raw["attachments"][0]
    url = f"/cases/{case_id}/records/attachment/{record['id']}/file"
    stranger = signed_in_client(app, "practitioner", "other@council.example")
    assert stranger.get(url).status_code == 404
    assert client.get(f"/cases/{case_id}/records/attachment/nope/file").status_code == 404


def test_a_file_no_case_holds_goes_with_the_retention_run(app: Flask) -> None:
    import os
    import time

    from ehdocs.access.retention import clear_orphan_attachments

    client = hub_client(app)
    storage = get_storage(app)
    case_id = storage.cases.create(make_case()).id
    _post(client, NEW.format(case_id), _fields("Kept"), _photo_with_gps())
    _post(client, NEW.format(case_id), _fields("Removed"), b"%PDF-1.4\n" + _tiny_pdf())
    stored = storage.cases.get(case_id)
    kept, removed = stored.raw["attachments"]
    raw = dict(stored.raw)
    raw["attachments"] = [kept]  # the second record is removed from the case
    storage.cases.save(case_id, raw, stored.version)
    old = time.time() - 2 * 24 * 3600
    for digest in (kept["blob"], removed["blob"]):
        os.utime(storage.attachments.path(digest), (old, old))
    assert clear_orphan_attachments(storage.sessions, storage.attachments) == 1
    assert storage.attachments.exists(kept["blob"])
    assert not storage.attachments.exists(removed["blob"])


def _tiny_pdf() -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()[9:]  # after its own header line


def _photo(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


def _images(pdf_bytes: bytes) -> list[tuple[int, int]]:
    """The sizes of the raster pictures on every page of a PDF."""
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        return [
            (int(image.Width), int(image.Height))
            for page in pdf.pages
            for image in page.get_images().values()
        ]


def test_a_pack_shows_the_pictures_from_direct_work(app: Flask) -> None:
    """The pictures kept with a case are in its pack, each with its title as caption, scaled for
    print; a family copy shows only those marked for the family; a PDF is listed, not inlined."""
    import pypdf
    from docx import Document as Docx

    client = hub_client(app)
    case_id = get_storage(app).cases.create(make_case()).id
    for title, for_family, data, name in (
        ("Jay's drawing of home", "yes", _photo((300, 200), (20, 120, 200)), "a.jpg"),
        ("Sam's worry monster", "no", _photo((2000, 1500), (200, 60, 20)), "b.jpg"),
    ):
        sent = _post(client, NEW.format(case_id), _fields(title, for_family), data, name)
        assert sent.status_code == 302, sent.get_data(as_text=True)
    letter = pikepdf.new()
    letter.add_blank_page()
    out = io.BytesIO()
    letter.save(out)
    sent = _post(
        client, NEW.format(case_id), _fields("Letter from school"), out.getvalue(), "l.pdf"
    )
    assert sent.status_code == 302

    pro = client.get(f"/cases/{case_id}/pack/professional.pdf")
    assert pro.status_code == 200
    # the drawing as it was (300 x 200); the 2000 x 1500 photo scaled to 1600 on its long side
    assert {(300, 200), (1600, 1200)} <= set(_images(pro.data))
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pro.data)).pages)
    assert "Direct work with the children" in text
    assert "Jay's drawing of home" in text and "Sam's worry monster" in text
    assert "Letter from school" in text and "A PDF: download it" in text

    family = client.get(f"/cases/{case_id}/pack/family.pdf")
    assert family.status_code == 200
    sizes = _images(family.data)
    assert (300, 200) in sizes and (1600, 1200) not in sizes
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(family.data)).pages)
    assert "Pictures and letters" in text and "Jay's drawing of home" in text
    assert "worry monster" not in text and "Letter from school" not in text

    docx = client.get(f"/cases/{case_id}/pack/professional.docx")
    assert docx.status_code == 200
    document = Docx(io.BytesIO(docx.data))
    pictures = [
        rel.target_part.blob
        for part in [document.part, *(r.target_part for r in document.part.rels.values())]
        for rel in getattr(part, "rels", {}).values()
        if "image" in rel.reltype
    ]
    assert {Image.open(io.BytesIO(b)).size for b in pictures} >= {(300, 200), (1600, 1200)}
    assert "Sam's worry monster" in "\n".join(p.text for p in document.paragraphs)


def test_a_phone_photo_is_kept_by_a_server_that_already_maps_much_memory() -> None:
    # A 12-megapixel phone photo, cleaned in a child forked from a long-running server (which
    # maps far more than the cleaning cap: thread stacks, arenas, libraries) is still kept.
    import mmap

    from ehdocs.storage.attachments import clean

    photo = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    sent = io.BytesIO()
    photo.save(sent, "JPEG", quality=90)
    reserved = mmap.mmap(-1, 1536 * 1024 * 1024)  # mapped, never touched
    try:
        kept, media_type = clean(sent.getvalue())
    finally:
        reserved.close()
    assert media_type == "image/jpeg"
    assert Image.open(io.BytesIO(kept)).size == (4000, 3000)
