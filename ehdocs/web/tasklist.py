"""GOV.UK "complete multiple tasks": what is done in each document and in the case.

One wording everywhere (the case overview and each document's own page):

- "Completed" (plain text): the section has saved answers and nothing typed on its page is
  waiting to be saved. Saved answers passed save-level validation (store.save refuses anything
  else), so an answer with problems at save level is exactly a page draft.
- "In progress" (light-blue tag): it has answers or a page draft.
- "Not yet started" (blue tag): neither.
- "Cannot start yet" (plain text): Check your answers, until some section has been started.

Where the user left a document ("Save and come back later", or the page they were on) is kept
as a page draft too, so coming back resumes there rather than on the next section.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from ehdocs.case.model import Document
from ehdocs.schema.model import FormDefinition, SectionDef
from ehdocs.storage import get_storage
from ehdocs.web.pages import section_page

COMPLETED = "Completed"
IN_PROGRESS = "In progress"
NOT_STARTED = "Not yet started"
CANNOT_START = "Cannot start yet"

# GOV.UK: "Completed" and "Cannot start yet" are plain text; the others are tags.
TAGS = {IN_PROGRESS: "govuk-tag--light-blue", NOT_STARTED: "govuk-tag--blue"}


@dataclass(frozen=True)
class SectionTask:
    section: SectionDef
    status: str


def left_page(doc_id: str) -> str:
    """The page-draft key holding the section a user was last on in a document.

    Not of the form "doc:<doc>:<section>", so it is never taken for a section's draft."""
    return f"left:{doc_id}"


def drafted_pages(case_id: int) -> set[str]:
    """The keys of every page draft of the case (one query for a whole task list)."""
    return get_storage().cases.draft_pages(case_id, "doc:")


def section_tasks(
    doc: Document, form: FormDefinition, drafts: Collection[str]
) -> list[SectionTask]:
    tasks = []
    for section in form.sections:
        answered = bool(doc.data.get(section.id))
        drafted = section_page(doc.id, section.id) in drafts
        if drafted:
            status = IN_PROGRESS
        elif answered or doc.completed:
            status = COMPLETED  # a completed document's unanswered sections were left empty
        else:
            status = NOT_STARTED
        tasks.append(SectionTask(section, status))
    return tasks


def document_status(doc: Document, form: FormDefinition, drafts: Collection[str]) -> str:
    if doc.completed:
        return COMPLETED
    started = any(t.status != NOT_STARTED for t in section_tasks(doc, form, drafts))
    return IN_PROGRESS if started else NOT_STARTED


def check_status(doc: Document, tasks: list[SectionTask]) -> str:
    """The status of the last task, "Check your answers and complete"."""
    if doc.completed:
        return COMPLETED
    if all(t.status == NOT_STARTED for t in tasks):
        return CANNOT_START
    return NOT_STARTED


def remember_left(case_id: int, doc_id: str, section_id: str | None) -> None:
    """Keep the section the user is on (None: they reached Check your answers)."""
    cases = get_storage().cases
    if section_id is None:
        cases.drop_draft(case_id, left_page(doc_id))
    else:
        cases.put_draft(case_id, left_page(doc_id), {"section": section_id})


def resume_at(case_id: int, doc: Document, form: FormDefinition) -> str | None:
    """The section to go back to (None: Check your answers).

    The section the user left, else the first with unsaved input, else the first unanswered."""
    if doc.completed:
        return None
    cases = get_storage().cases
    left = cases.get_draft(case_id, left_page(doc.id)) or {}
    ids = [s.id for s in form.sections]
    if left.get("section") in ids:
        return str(left["section"])
    drafts = drafted_pages(case_id)
    for task in section_tasks(doc, form, drafts):
        if task.status == IN_PROGRESS and section_page(doc.id, task.section.id) in drafts:
            return task.section.id
    return next((i for i in ids if not doc.data.get(i)), None)
