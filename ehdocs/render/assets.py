"""The locked URL fetcher: rendering reads packaged assets and the profile's logo, nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSETS = Path(__file__).parent / "assets"


class AssetFetcher(URLFetcher):
    """Serves `asset:NAME` from the package (and `asset:logo` from the profile); refuses all else.

    WeasyPrint's default fetcher follows file:// and http://, so an attachment link could pull
    a local file into a PDF; here nothing outside this folder can be reached.
    """

    def __init__(self, logo: Path | None = None) -> None:
        super().__init__(allowed_protocols=("asset", "data"), allow_redirects=False)
        self.logo = logo

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):  # our own diagrams, inline: the URL is the content
            return super().fetch(url, headers)
        if not url.startswith("asset:"):
            raise ValueError(f"refused: only packaged assets may be read ({url[:40]})")
        name = url.removeprefix("asset:").lstrip("/")
        path = self.logo if name == "logo" else (ASSETS / name).resolve()
        if path is None or (name != "logo" and ASSETS.resolve() not in path.parents):
            raise ValueError(f"refused: {name[:40]} is not a packaged asset")
        if not path.is_file():
            raise ValueError(f"missing asset {name[:40]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
