"""script/build-assets: GOV.UK Frontend compiled without GOV.UK's font, its JavaScript, axe-core."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "script" / "build-assets"
BUILD = REPO / "ehdocs" / "web" / "static" / "build"
TEMPLATES = REPO / "ehdocs" / "web" / "templates"


def _build() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT)], cwd=REPO, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture(scope="session")
def built() -> Path:
    result = _build()
    assert result.returncode == 0, result.stdout + result.stderr
    return BUILD


@pytest.fixture(scope="session")
def css(built: Path) -> str:
    return (built / "ehdocs.css").read_text(encoding="utf-8")


def test_css_has_govuk_frontend_and_ehdocs_styles(css: str) -> None:
    for selector in (".govuk-button", ".govuk-notification-banner", ".govuk-generic-header"):
        assert selector in css
    for selector in (".ehdocs-header__logo", ".ehdocs-marking"):
        assert selector in css


def test_css_uses_no_gds_transport_font(css: str) -> None:
    # GDS Transport belongs to GOV.UK: no @font-face at all, no font files, no mention.
    assert "@font-face" not in css
    assert "gds transport" not in css.lower()
    assert "transport" not in css.lower()
    assert "/fonts/" not in css
    assert not re.search(r"\.woff2?\b", css)


def test_css_uses_a_system_font_stack(css: str) -> None:
    families = set(re.findall(r"font-family:\s*([^;}]+)", css))
    assert "arial,sans-serif" in families
    assert families <= {"arial,sans-serif", "sans-serif", "inherit", "monospace"}, families


def test_css_is_compressed_without_source_maps(built: Path, css: str) -> None:
    assert "sourceMappingURL" not in css
    assert not list(built.rglob("*.map"))
    assert css.count("\n") < 5


def test_css_urls_point_at_built_assets(built: Path, css: str) -> None:
    urls = set(re.findall(r"url\([\"']?([^\"')]+)", css))
    assert urls, "GOV.UK Frontend's CSS refers to at least one image"
    for url in urls:
        assert url.startswith("/static/build/assets/images/"), url
        assert (built / url.removeprefix("/static/build/")).is_file(), url


def test_govuk_frontend_javascript_is_built(built: Path) -> None:
    js = (built / "govuk-frontend.min.js").read_text(encoding="utf-8")
    assert "initAll" in js  # the ES module's export that layout.html imports
    assert (built / "assets" / "manifest.json").is_file()
    assert not (built / "assets" / "fonts").exists()


def test_axe_core_is_built_for_browser_tests(built: Path) -> None:
    axe = built / "test" / "axe.min.js"
    assert axe.stat().st_size > 100_000
    assert "axe" in axe.read_text(encoding="utf-8")[:2000].lower()


def test_a_second_build_does_nothing_and_is_fast(built: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in built.rglob("*") if p.is_file()}
    start = time.perf_counter()
    result = _build()
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stdout + result.stderr
    assert elapsed < 1.0, f"build-assets took {elapsed:.2f}s with nothing changed"
    assert result.stdout == ""
    assert {p: p.stat().st_mtime_ns for p in built.rglob("*") if p.is_file()} == before


def test_build_output_is_git_ignored(built: Path) -> None:
    for path in (built / "ehdocs.css", REPO / "web" / "node_modules"):
        result = subprocess.run(
            ["git", "check-ignore", "-q", str(path)], cwd=REPO, check=False, timeout=30
        )
        assert result.returncode == 0, f"{path} is not git-ignored"


def test_package_versions_are_pinned() -> None:
    package = json.loads((REPO / "web" / "package.json").read_text(encoding="utf-8"))
    assert package["dependencies"]["govuk-frontend"] == "6.3.0"
    assert set(package["devDependencies"]) >= {"sass", "axe-core"}
    lock = json.loads((REPO / "web" / "package-lock.json").read_text(encoding="utf-8"))
    assert lock["packages"]["node_modules/govuk-frontend"]["version"] == "6.3.0"


def test_layout_uses_neither_the_crown_header_nor_the_crown_footer() -> None:
    # govukHeader draws the crown and GOV.UK logotype; govukFooter the crown and
    # "Crown copyright". Neither may appear on a council's service.
    layout = (TEMPLATES / "layout.html").read_text(encoding="utf-8")
    assert "govukHeader(" not in layout
    assert "govukFooter(" not in layout
    assert 'htmlLang = "en-GB"' in layout
