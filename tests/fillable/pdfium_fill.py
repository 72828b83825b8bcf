"""Fill a PDF form as a person would in a PDFium viewer (Chrome's), through its form-fill API.

Text is typed into the focused field (FORM_ReplaceSelection), checkboxes and radio buttons are
clicked at their widget's centre (FORM_OnLButtonDown/Up), drop-downs chosen by index
(FORM_SetIndexSelected); then PDFium saves the file (FPDF_SaveAsCopy), making its own
appearance streams. An engine independent of pypdf, which made the blank form.
"""

from __future__ import annotations

import ctypes
import io
from collections.abc import Mapping

import pypdfium2 as pdfium
import pypdfium2.raw as raw


def _wide(text: str) -> ctypes.Array[ctypes.c_char]:
    return ctypes.create_string_buffer(text.encode("utf-16-le") + b"\0\0")


def _as_wide(buffer: ctypes.Array[ctypes.c_char]) -> object:
    return ctypes.cast(buffer, raw.FPDF_WIDESTRING)


def _utf16(getter, *args) -> str:  # type: ignore[no-untyped-def]
    size = getter(*args, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    getter(*args, ctypes.cast(buffer, ctypes.POINTER(raw.FPDF_WCHAR)), size)
    return buffer.raw[: size - 2].decode("utf-16-le")


def pdfium_fill(data: bytes, values: Mapping[str, str | bool]) -> bytes:
    """values: text for text fields, the option text for drop-downs, the state name for a
    radio group, True/False for a checkbox."""
    pdf = pdfium.PdfDocument(data)
    pdf.init_forms()
    form = pdf.formenv
    done: set[str] = set()
    try:
        for index in range(len(pdf)):
            page = pdf.get_page(index)
            for j in range(raw.FPDFPage_GetAnnotCount(page)):
                annot = raw.FPDFPage_GetAnnot(page, j)
                try:
                    if raw.FPDFAnnot_GetSubtype(annot) == raw.FPDF_ANNOT_WIDGET:
                        _fill_widget(form, page, annot, values, done)
                finally:
                    raw.FPDFPage_CloseAnnot(annot)
            raw.FORM_OnBeforeClosePage(page, form)
            page.close()
        missing = set(values) - done
        assert not missing, f"PDFium did not find fields {sorted(missing)[:5]}"
        out = io.BytesIO()
        pdf.save(out)
        return out.getvalue()
    finally:
        pdf.close()


def _fill_widget(form, page, annot, values, done) -> None:  # type: ignore[no-untyped-def]
    name = _utf16(raw.FPDFAnnot_GetFormFieldName, form, annot)
    if name not in values:
        return
    wanted = values[name]
    kind = raw.FPDFAnnot_GetFormFieldType(form, annot)
    if kind == raw.FPDF_FORMFIELD_TEXTFIELD:
        assert isinstance(wanted, str)
        assert raw.FORM_SetFocusedAnnot(form, annot)
        raw.FORM_SelectAllText(form, page)
        buffer = _wide(wanted)
        raw.FORM_ReplaceSelection(form, page, _as_wide(buffer))
        assert raw.FORM_ForceToKillFocus(form)
        done.add(name)
    elif kind == raw.FPDF_FORMFIELD_COMBOBOX:
        count = raw.FPDFAnnot_GetOptionCount(form, annot)
        labels = [_utf16(raw.FPDFAnnot_GetOptionLabel, form, annot, i) for i in range(count)]
        assert wanted in labels, f"{wanted!r} is not an option of {name}: {labels}"
        assert raw.FORM_SetFocusedAnnot(form, annot)
        assert raw.FORM_SetIndexSelected(form, page, labels.index(wanted), True)
        assert raw.FORM_ForceToKillFocus(form)
        done.add(name)
    elif kind == raw.FPDF_FORMFIELD_CHECKBOX:
        if bool(raw.FPDFAnnot_IsChecked(form, annot)) != bool(wanted):
            _click(form, page, annot)
        assert bool(raw.FPDFAnnot_IsChecked(form, annot)) == bool(wanted), name
        done.add(name)
    elif kind == raw.FPDF_FORMFIELD_RADIOBUTTON:
        state = _utf16(raw.FPDFAnnot_GetFormFieldExportValue, form, annot)
        if state == wanted:
            _click(form, page, annot)
            assert raw.FPDFAnnot_IsChecked(form, annot), name
            done.add(name)


def _click(form, page, annot) -> None:  # type: ignore[no-untyped-def]
    rect = raw.FS_RECTF()
    assert raw.FPDFAnnot_GetRect(annot, rect)
    x, y = (rect.left + rect.right) / 2, (rect.top + rect.bottom) / 2
    raw.FORM_OnMouseMove(form, page, 0, x, y)
    raw.FORM_OnLButtonDown(form, page, 0, x, y)
    raw.FORM_OnLButtonUp(form, page, 0, x, y)
    raw.FORM_ForceToKillFocus(form)
