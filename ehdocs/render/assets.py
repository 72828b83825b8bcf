"""The locked URL fetcher: rendering reads the templates' stylesheets, packaged fonts and
pictures, and the profile's logo, nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ehdocs.render.template_files import HTML, Templates

ASSETS = Path(__file__).parent / "assets"  # fonts and pictures the stylesheets name


class AssetFetcher(URLFetcher):
    """Serves `asset:NAME` from the HTML templates (the council's own file first, then ours),
    then the package's fonts and pictures, and `asset:logo` from the profile; refuses all else.

    WeasyPrint's default fetcher follows file:// and http://, so an attachment link could pull
    a local file into a PDF; here nothing outside these folders can be reached, whoever wrote
    the template.
    """

    def __init__(self, logo: Path | None = None, templates: Templates | None = None) -> None:
        super().__init__(allowed_protocols=("asset", "data"), allow_redirects=False)
        self.logo = logo
        self.templates = templates or Templates.defaults()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):  # our own diagrams, inline: the URL is the content
            return super().fetch(url, headers)
        if not url.startswith("asset:"):
            raise ValueError(f"refused: only packaged assets may be read ({url[:40]})")
        name = url.removeprefix("asset:").lstrip("/")
        path = self.logo if name == "logo" else self._find(name)
        if path is None:
            raise ValueError(f"refused: {name[:40]} is not a template file or packaged asset")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    def _find(self, name: str) -> Path | None:
        found = self.templates.find(HTML, name)
        if found is not None:
            return found
        path = (ASSETS / name).resolve()
        return path if ASSETS.resolve() in path.parents and path.is_file() else None
