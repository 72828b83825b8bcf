"""The second factor of local accounts: time-based one-time codes (TOTP, RFC 6238) from an
authenticator app, 6 digits every 30 seconds.

A code is accepted for its own 30 seconds and one step either side (clocks drift), and never
twice: the step of the last accepted code is kept with the account, and a code from that step
or an earlier one is refused, so a code seen over someone's shoulder is no use.
"""

from __future__ import annotations

import hmac
import re
import time
from html import escape

import pyotp
import segno

DIGITS = 6
STEP_SECONDS = 30
VALID_WINDOW = 1  # steps either side of now


def new_secret() -> str:
    """A random base32 secret of 160 bits, as RFC 4226 recommends."""
    return pyotp.random_base32()


def step_now(at: float | None = None) -> int:
    return int((time.time() if at is None else at) // STEP_SECONDS)


def code_at(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def current_code(secret: str) -> str:
    return code_at(secret, step_now())


def matching_step(
    secret: str, code: str, last_step: int | None, at: float | None = None
) -> int | None:
    """The step a code belongs to if it is right and not used before; None if not."""
    code = re.sub(r"[\s-]", "", code)
    if not re.fullmatch(rf"[0-9]{{{DIGITS}}}", code):
        return None
    now = step_now(at)
    for step in range(now - VALID_WINDOW, now + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(code_at(secret, step), code):
            return step
    return None


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=email, issuer_name=issuer
    )


def qr_svg(uri: str, label: str) -> str:
    """The QR code of `uri` as an inline SVG element (drawn here, nothing fetched), with a
    white quiet zone so it scans on any background."""
    svg: str = segno.make(uri, error="m").svg_inline(
        scale=5, border=4, dark="#0b0c0c", light="#ffffff", svgclass="ehdocs-qr"
    )
    # An image with a name for screen readers; the secret is shown as text beside it.
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
