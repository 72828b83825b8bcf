"""One render: its options, the case filtered for the audience once, and one finishing step."""

from __future__ import annotations

import io
import sys
from typing import Any

import pikepdf
import pytest

from ehdocs.case.model import Case
from ehdocs.cli import AUDIENCE, FORMAT
from ehdocs.errors import EhdocsError
from ehdocs.render import audience as audience_module
from ehdocs.render.audience import AUDIENCES
from ehdocs.render.options import FORMATS, RenderOptions
from ehdocs.render.outputs import file_name, render_document, render_pack
from ehdocs.render.pdf import EMBEDDED_NAME
from ehdocs.schema import FormSet
from ehdocs.validation import validate_case
from tests.factories import make_case
from tests.render.test_pdf import TODAY


@pytest.fixture(scope="module")
def case(formset: FormSet) -> Case:
    result = validate_case(make_case(), formset)
    assert result.case is not None, result.problems
    return result.case


def test_options_refuse_an_unknown_audience_or_format() -> None:
    with pytest.raises(EhdocsError, match="Audience must be one of family, professional, hub"):
        RenderOptions(audience="neighbour")
    with pytest.raises(EhdocsError, match="Format must be pdf or docx, not 'odt'"):
        RenderOptions(fmt="odt")


def test_the_cli_offers_the_audiences_and_formats_the_options_accept() -> None:
    assert tuple(AUDIENCE.choices) == AUDIENCES
    assert tuple(FORMAT.choices) == FORMATS


def test_file_name_carries_reference_part_audience_and_the_render_date(case: Case) -> None:
    options = RenderOptions("family", "docx", TODAY)
    assert file_name(case, "plan-pl2", options) == "EH-2026-0001_plan-pl2_family_2026-11-23.docx"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("what", ["document", "pack"])
def test_the_case_is_filtered_for_the_audience_once_per_render(
    case: Case, monkeypatch: pytest.MonkeyPatch, fmt: str, what: str
) -> None:
    filtered: list[str] = []
    real = audience_module.for_audience

    def counting(case: Case, copy: str, files: Any = None) -> Any:
        filtered.append(copy)
        return real(case, copy, files)

    for module in list(sys.modules.values()):
        if module.__name__.startswith("ehdocs.") and getattr(module, "for_audience", 0) is real:
            monkeypatch.setattr(module, "for_audience", counting)
    monkeypatch.setenv("EHDOCS_RENDER_IN_PROCESS", "1")  # counted here, not in a render child
    options = RenderOptions("family", fmt, TODAY, workers=1)
    if what == "document":
        render_document(case, case.documents[0], options)
    else:
        render_pack(case, options)
    assert filtered == ["family"]


@pytest.mark.parametrize("what", ["document", "pack"])
def test_documents_and_packs_are_finished_alike(case: Case, what: str) -> None:
    options = RenderOptions("professional", "pdf", TODAY, workers=1)
    if what == "document":
        pdf = render_document(case, case.documents[0], options)
    else:
        pdf = render_pack(case, options)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        title = str(doc.docinfo["/Title"])
        assert title.endswith(" – EH-2026-0001 – professional copy")
        assert str(doc.docinfo["/Producer"]) == "ehdocs"
        with doc.open_metadata() as meta:
            assert meta["dc:title"] == title and meta["pdfuaid:part"] == "1"
        assert str(doc.Root.Lang) == "en-GB" and bool(doc.Root.ViewerPreferences.DisplayDocTitle)
        assert list(doc.attachments) == [EMBEDDED_NAME]
        # No time of rendering inside: the same case renders to the same embedded file.
        params = doc.attachments[EMBEDDED_NAME].obj.EF.F.Params
        assert "/CreationDate" not in params and "/ModDate" not in params
