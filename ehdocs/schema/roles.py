"""What ehdocs's code reads from the definitions, and the one place it is spelled.

Code outside the definitions never names a form, section, event or option value: it asks the
FormSet for the one the definitions declare with a role (`role:` on an event, a section or an
option, `used_as:` on a field). Case records are the case format: the code reads the record
fields and option values listed here by name. `ehdocs schema check` refuses definitions, or a
council profile, that lose any of it (schema/contract.py).
"""

from __future__ import annotations

from collections.abc import Mapping

# -- milestones: `role:` on a document's event; the timescales are counted from them ----------
RECEIVED = "received"  # the request for help reached the hub
HUB_DECISION = "hub_decision"
ASSESSMENT_COMPLETED = "assessment_completed"
PLAN_AGREED = "plan_agreed"
REVIEW_HELD = "review_held"
CLOSED = "closed"
EVENT_ROLES = (RECEIVED, HUB_DECISION, ASSESSMENT_COMPLETED, PLAN_AGREED, REVIEW_HELD, CLOSED)

# -- the hub: `role: hub` on the section the hub fills in, `used_as: decision` on its decision -
HUB = "hub"
SECTION_ROLES = (HUB,)
DECISION = "decision"
# Each field role, with the field types it may have and the section role it must sit in.
FIELD_ROLES: Mapping[str, tuple[tuple[str, ...], str]] = {DECISION: (("choice",), HUB)}

# -- person categories: `role:` on every option of the person record's category list ---------
CHILD = "child"
UNBORN = "unborn"
PARENT_CARER = "parent_carer"
SIGNIFICANT_ADULT = "significant_adult"
CATEGORY_ROLES = (CHILD, UNBORN, PARENT_CARER, SIGNIFICANT_ADULT)
CHILD_ROLES = (CHILD, UNBORN)
ADULT_ROLES = (PARENT_CARER, SIGNIFICANT_ADULT)
# A person question's own `role: child | adult` (the person field type's key), as category roles.
PERSON_QUESTION_ROLES: Mapping[str, tuple[str, ...]] = {"child": CHILD_ROLES, "adult": ADULT_ROLES}

# -- a section that asks for the details of a case record (`record:` on a section): the consent
# section of a notification needs a consent record, not withdrawn, by the person it names -------
CONSENT = "consent"
CONSENT_GIVER = "given_by"
CONSENT_WITHDRAWN = "withdrawn"
SECTION_RECORDS = (CONSENT,)

# -- the record that holds a file (direct work with a child): the page takes an upload, kept
# as the stored file's SHA-256 and media type ---------------------------------------------------
ATTACHMENT = "attachment"

# -- the critical points of the work a manager's oversight note is for (lists.yaml
# oversight_points): each is due after the point is reached (ehdocs.case.due) ---------------------
OVERSIGHT_POINTS = (
    "allocation",
    "first_visit",
    "assessment",
    "first_plan",
    "review",
    "transfer",
    "closure",
)

# -- the performance report (form_schemas/report/kpis.yaml): the facts an episode of early help
# begins and ends with; "open on a day" is asked of them -----------------------------------------
EPISODE_START = "received"
EPISODE_END = "closed"
# The person record's fields the report groups the children it reached by.
REPORT_CHILD_DETAILS = ("gender", "ethnicity")
PERSON_GENDER, PERSON_ETHNICITY = REPORT_CHILD_DETAILS
BLOB = "blob"
MEDIA_TYPE = "media_type"
ATTACHMENT_TITLE = "title"  # what the picture is: its caption and text alternative in a pack
ATTACHMENT_DATE = "date"

# -- case records: fields the code reads by name; a profile may relabel them, never remove them
# or change their type --------------------------------------------------------------------------
PERSON = "person"
CATEGORY = "category"
CORE_RECORD_FIELDS: Mapping[str, Mapping[str, str]] = {
    PERSON: {
        "given_name": "text",
        "family_name": "text",
        "known_as": "text",
        CATEGORY: "choice",
        "gender": "choice",
        "ethnicity": "choice",  # the reach of the service (the performance report)
        "date_of_birth": "partial_date",
        "expected_date_of_delivery": "date",
        "life_status": "choice",
        "date_of_death": "partial_date",
        "contact_details_confidential": "yes_no",
    },
    "relationship": {
        "kind": "choice",
        "person_a": "person",
        "person_b": "person",
        "parent_type": "choice",
        "partnership_status": "choice",
        "start": "partial_date",
        "end": "partial_date",
        "history": "group",  # a partnership's earlier stages: status, start, end
        "identical": "yes_no",
        "description": "text",
    },
    "household": {"name": "text", "members": "person", "confidential": "yes_no"},
    "professional": {
        "name": "text",
        "role": "text",
        "agency": "text",
        "email": "text",
        "works_with": "person",
        "lead_practitioner": "yes_no",
        "strength": "choice",
        "support_direction": "choice",
    },
    "consent": {
        "given_by": "person",
        "date": "date",
        "withdrawn": "yes_no",
        "withdrawn_date": "date",
        "not_shared_with": "person",
        "not_shared_with_professionals": "professional",
    },
    "chronology_event": {
        "date": "partial_date",
        "event": "long_text",
        "source": "text",
        "impact": "long_text",
        "action": "long_text",
        "family_visible": "yes_no",
    },
    "outcome_score": {
        "area": "choice",
        "person": "person",
        "stage": "choice",
        "date": "date",
        "score": "scale",
    },
    "ecomap_link": {
        "name": "text",
        "kind": "choice",
        "person": "person",
        "strength": "choice",
        "support_direction": "choice",
        "notes": "text",
    },
    # Case work (issue 13): allocation, timescales and the performance report read these.
    "allocation": {
        "kind": "choice",
        "date": "date",
        "time": "time",
        "team": "text",
        "worker": "text",
        "from_team": "text",
        "from_worker": "text",
        "handover_summary": "long_text",
    },
    "case_note": {
        "kind": "choice",
        "summary": "long_text",
        "date": "date",
        "time": "time",
        "written_at": "timestamp",
        "late_reason": "long_text",
        "family_visible": "yes_no",
    },
    "oversight_note": {
        "kind": "choice",
        "point": "choice",
        "date": "date",
        "manager": "text",
        "signed_off": "yes_no",
        "signed_off_at": "timestamp",
    },
    "attachment": {
        "title": "text",
        "date": "date",
        "blob": "text",
        "media_type": "text",
        "for_family": "yes_no",
    },
}

# A case note's kinds the code reads: the visits the timescales count (ehdocs.case.due), and the
# correspondence a letter produced by ehdocs is recorded as (ehdocs.case.correspondence).
VISIT_KINDS = ("home_visit", "school_visit", "virtual_visit", "office_visit")
CORRESPONDENCE = "correspondence"

# Option values the diagrams draw by (genogram symbols and lines, ecomap links, score stages):
# a profile may relabel these options, never rename or remove them.
_STRENGTHS = ("strong", "weak", "stressful")
_DIRECTIONS = ("to_family", "from_family", "both", "none")
CORE_VALUES: Mapping[str, tuple[str, ...]] = {
    "person.gender": ("female", "male"),
    "person.life_status": ("living", "deceased", "pregnancy", "miscarriage"),
    "relationship.kind": ("parent", "partners", "twins", "other"),
    "relationship.parent_type": (
        "birth",
        "step",
        "adoptive",
        "foster",
        "special_guardian",
        "kinship",
    ),
    "relationship.partnership_status": ("married", "cohabiting", "dating", "separated", "divorced"),
    "professional.strength": _STRENGTHS,
    "professional.support_direction": _DIRECTIONS,
    "ecomap_link.kind": ("person", "service", "community"),
    "ecomap_link.strength": _STRENGTHS,
    "ecomap_link.support_direction": _DIRECTIONS,
    "outcome_score.stage": ("assessment", "review", "closure", "other"),
    "allocation.kind": ("allocation", "transfer", "closure_of_allocation"),
    "case_note.kind": (*VISIT_KINDS, CORRESPONDENCE),
    "oversight_note.kind": ("oversight", "supervision"),
    "oversight_note.point": OVERSIGHT_POINTS,
}
