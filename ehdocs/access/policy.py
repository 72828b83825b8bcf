"""The one access policy: who may do what to which object. Views declare a rule; nothing checks
roles inline.

Foundation only (issue #15): the route decorators below mark each view's rule; the decisions
and their enforcement are built on them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

View = TypeVar("View", bound=Callable[..., Any])

RULE_ATTRIBUTE = "access_rule"


def public(view: View) -> View:
    """Open to anyone, signed in or not: the sign-in pages, blank forms, the health check, a
    partner's request for a link."""
    setattr(view, RULE_ATTRIBUTE, "public")
    return view


def signed_in(view: View) -> View:
    """Any signed-in account, whatever its role (sign-out, setting up the second factor)."""
    setattr(view, RULE_ATTRIBUTE, "signed_in")
    return view


def partner_link(view: View) -> View:
    """A partner signed in by a single-use link (or an account): their own submissions."""
    setattr(view, RULE_ATTRIBUTE, "partner_link")
    return view
