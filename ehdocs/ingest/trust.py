"""Whom the hub may reply to: never a spam cannon.

Anyone can put any address in an e-mail's From or Reply-To, or type one into an upload form.
The hub replies only to an address it has reason to trust:

    signed-in    a web upload: the signed-in user's own account address (never a typed one);
    link         a partner who signed in with a single-use link sent to that address;
    dmarc        an e-mail the council's own mail server marked `dmarc=pass` for the From
                 domain (or `spf=pass` / `dkim=pass` for a domain aligned with From);
    partner      an e-mail whose From domain is on the profile's partner list.

Only the topmost `Authentication-Results` header counts, and only when its authserv-id is the
one the council's mail server uses (EHDOCS_MAIL_AUTHSERV_ID): every header below it, or with
another id, could have been written by the sender. The council's server must remove any
header claiming its id from incoming mail (RFC 8601 §5), as Exim, Postfix+OpenDMARC and
Exchange Online do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message

from ehdocs.access.partners import domain_allowed

# method=result followed by properties like header.from=example.org or smtp.mailfrom=a@b
_RESULT = re.compile(r"(?:^|;)\s*(dmarc|spf|dkim)\s*=\s*([a-z]+)([^;]*)", re.IGNORECASE)
_PROPERTY = re.compile(r"\b(header\.from|header\.d|header\.i|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)")


@dataclass(frozen=True)
class Trust:
    """Whether a reply may go to `address`, and why (shown to the adviser, recorded)."""

    address: str | None
    how: str | None  # signed-in | link | dmarc | spf | dkim | partner; None: not trusted
    why: str

    @property
    def trusted(self) -> bool:
        return self.how is not None and self.address is not None


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def aligned(domain: str, from_domain: str) -> bool:
    """Relaxed DMARC alignment: the same organisational domain, approximated as one being the
    other or a subdomain of it (mail.school.example with school.example)."""
    domain, from_domain = domain.lower().rstrip("."), from_domain.lower().rstrip(".")
    return bool(domain) and (
        domain == from_domain
        or domain.endswith("." + from_domain)
        or from_domain.endswith("." + domain)
    )


def _unfold(value: str) -> str:
    value = re.sub(r"\s+", " ", value)
    return re.sub(r"\([^()]*\)", " ", value)  # comments


def authentication(message: Message, authserv_id: str | None, from_domain: str) -> str | None:
    """How the council's mail server authenticated the From domain: "dmarc", "spf", "dkim", or
    None. Only the topmost Authentication-Results header, and only with our authserv-id."""
    if not authserv_id or not from_domain:
        return None
    try:
        headers = message.get_all("Authentication-Results") or []
    except Exception:
        return None
    if not headers:
        return None
    top = _unfold(str(headers[0])).strip()
    server, _, rest = top.partition(";")
    if server.strip().split(" ")[0].lower() != authserv_id.strip().lower():
        return None
    found: dict[str, str] = {}
    for method, result, props in _RESULT.findall(";" + rest):
        method, result = method.lower(), result.lower()
        if result != "pass":
            continue
        values = {k.lower(): v.strip().lower() for k, v in _PROPERTY.findall(props)}
        if method == "dmarc":
            if values.get("header.from", from_domain) == from_domain:
                found.setdefault("dmarc", method)
        elif method == "dkim":
            d = values.get("header.d") or domain_of(values.get("header.i", ""))
            if d and aligned(d, from_domain):
                found.setdefault("dkim", method)
        elif method == "spf":
            d = domain_of(values.get("smtp.mailfrom", ""))
            if d and aligned(d, from_domain):
                found.setdefault("spf", method)
    for how in ("dmarc", "dkim", "spf"):
        if how in found:
            return how
    return None


def of_message(
    how: str | None,
    from_address: str | None,
    reply_address: str | None,
    *,
    partner_domains: tuple[str, ...],
    hub_address: str | None,
) -> Trust:
    """Whether the hub may reply to an e-mail (`how`: what authentication() found), and to
    which address: the authenticated From
    address (a Reply-To is used only when it is in the same domain, so a forged one cannot aim
    the reply at someone else)."""
    if not from_address:
        return Trust(None, None, "Not sent: the e-mail has no sender address to reply to")
    from_domain = domain_of(from_address)
    address = from_address
    if reply_address and aligned(domain_of(reply_address), from_domain):
        address = reply_address
    if hub_address and address.lower() == hub_address.lower():
        return Trust(None, None, "Not sent: the e-mail came from the hub's own address")
    labels = {
        "dmarc": "the council's mail server confirmed the sender's domain (DMARC passed)",
        "dkim": "the council's mail server confirmed the sender's domain (DKIM signature)",
        "spf": "the council's mail server confirmed the sender's domain (SPF)",
    }
    if how:
        return Trust(address, how, f"Sent to {address}: {labels[how]}")
    if partner_domains and domain_allowed(from_address, partner_domains):
        return Trust(address, "partner", f"Sent to {address}: the address is a partner agency's")
    return Trust(
        None,
        None,
        "Not sent: the council's mail server did not confirm the sender's address "
        "(no DMARC, SPF or DKIM pass for its domain) and it is not a partner agency's, so "
        "the From address may be forged",
    )


def of_upload(account_email: str | None, hub_address: str | None) -> Trust:
    """A web upload: the reply goes to the signed-in user who uploaded it, never to an address
    typed into the form."""
    if not account_email:
        return Trust(None, None, "Not sent: nobody was signed in to upload it")
    if hub_address and account_email.lower() == hub_address.lower():
        return Trust(None, None, "Not sent: the account's address is the hub's own")
    return Trust(
        account_email,
        "signed-in",
        f"Sent to {account_email}: the signed-in account that uploaded it",
    )
