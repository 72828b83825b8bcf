"""The locked URL fetcher: packaged assets, the profile's logo and inline data, nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint import HTML

from ehdocs.render.assets import AssetFetcher
from tests.render.test_pdf import page_texts

LOGO = Path(__file__).resolve().parents[2] / "form_schemas/profiles/default/logo.svg"


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/secret",
        "https://example.org/logo.png",
        "asset:../../../../etc/passwd",
        "asset:/../schema/loader.py",
        "asset:no-such-file.css",
        "ftp://127.0.0.1/x",
    ],
)
def test_everything_outside_the_package_is_refused(url: str) -> None:
    with pytest.raises(ValueError):
        AssetFetcher(LOGO).fetch(url)


def test_packaged_assets_the_logo_and_inline_data_are_served() -> None:
    fetcher = AssetFetcher(LOGO)
    css = fetcher.fetch("asset:document.css")
    assert b"@page" in css.read() and css.content_type == "text/css"
    assert fetcher.fetch("asset:logo").read() == LOGO.read_bytes()
    assert fetcher.fetch("data:text/plain;base64,aGVsbG8=").read() == b"hello"
    with pytest.raises(ValueError):
        AssetFetcher(None).fetch("asset:logo")  # a profile without a logo has none


def test_a_document_cannot_pull_in_a_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    html = (
        f'<meta charset="utf-8"><p>Hello</p><img src="file://{secret}">'
        f'<a rel="attachment" href="file://{secret}">x</a>'
        f'<link rel="stylesheet" href="file://{secret}">'
    )
    pdf = HTML(string=html, url_fetcher=AssetFetcher(None), base_url="asset:/").write_pdf()
    assert b"TOP-SECRET-CONTENT" not in pdf
    assert b"/EmbeddedFile" not in pdf
    assert "Hello" in " ".join(page_texts(pdf))
