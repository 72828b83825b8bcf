"""What to tell the sender of a PDF that cannot be read. A damaged copy of our form can be saved
again from the program it was filled in with; a damaged file that is not ours cannot become
a form by being sent again, so the next step for it is the blank form."""

from __future__ import annotations

from ehdocs.fillable.formats import EMBEDDED_NAME, INFO_KEYS

DAMAGED_OURS = (
    "This form could not be read: it may be damaged. Open it in the program you filled it in "
    "with, save it as a new PDF and send that, or fill in a new blank form downloaded from us"
)
DAMAGED_NOT_OURS = (
    "This PDF could not be read: it may be damaged, and it does not look like a form made by "
    "this service. Download the blank form, fill it in and send that file"
)
_OUR_MARKS = (EMBEDDED_NAME.encode(), INFO_KEYS["form"].encode())


def damaged(data: bytes | None) -> str:
    """The reason for a PDF that could not be read, by whether it still looks like ours."""
    ours = data is not None and any(mark in data for mark in _OUR_MARKS)
    return DAMAGED_OURS if ours else DAMAGED_NOT_OURS
