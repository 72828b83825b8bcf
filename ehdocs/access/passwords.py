"""Passwords of local accounts: the policy they must meet and their argon2id hashes.

The policy follows the NCSC's password guidance: length is what counts (at least 12
characters), common and easily guessed passwords are refused (a deny-list, and the person's
own name and e-mail address), and there are no composition rules (no "one capital, one
digit"), which only push people to predictable patterns. A maximum length stops anyone
making the hashing of one sign-in the work of minutes.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256
DENY_LIST = Path(__file__).with_name("common-passwords.txt")

# argon2-cffi's defaults are RFC 9106's second recommended option for argon2id (t=3, 64 MiB,
# p=4). When they change, a stored hash is replaced at the next sign-in (needs_rehash).
HASHER = PasswordHasher()

# Letters people write as digits or symbols ("p@ssw0rd"): undone before the deny-list check.
_LOOKALIKES = str.maketrans("@4310!$57+", "aaeioisstt")
_ENDS = re.compile(r"^[^a-z]+|[^a-z]+$")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = DENY_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """What is wrong with a new password, as a message for its owner; None if it is good."""
    if not password:
        return "Enter a password"
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if _is_common(password):
        return (
            "Choose a password that is harder to guess: this one is too common, or too "
            "close to a common one"
        )
    if _is_personal(password, email, name):
        return "Choose a password that is not your name or e-mail address"
    return None


def _is_common(password: str) -> bool:
    lowered = password.lower()
    if len(set(lowered)) < 5:  # "aaaaaaaaaaaa", "121212121212", "abcabcabcabc"
        return True
    common = common_passwords()
    core = _ENDS.sub("", lowered)  # "Password2024!" -> "password"
    candidates = {
        lowered,
        lowered.replace(" ", ""),
        core,
        core.translate(_LOOKALIKES),  # "P@ssw0rd1234" -> "password"
        _ENDS.sub("", lowered.translate(_LOOKALIKES)),  # "@dmin1strator" -> "administrator"
    }
    return bool(candidates & common)


def _is_personal(password: str, email: str, name: str) -> bool:
    """The password is the person's name or address, give or take digits and symbols."""
    letters = re.sub(r"[^a-z]", "", password.lower())
    local, _, domain = email.lower().partition("@")
    name_parts = re.findall(r"[a-z]+", name.lower())
    personal = {
        re.sub(r"[^a-z]", "", email.lower()),
        re.sub(r"[^a-z]", "", local),
        re.sub(r"[^a-z]", "", domain.split(".")[0]),
        "".join(name_parts),
        "".join(reversed(name_parts)),
        *(part for part in name_parts if len(part) >= 3),
    }
    return letters in personal - {""}


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches the stored hash. With no stored hash (an unknown account,
    or one without a password) a dummy hash is checked, so both take the same time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return HASHER.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


@functools.cache
def _dummy_hash() -> str:
    return HASHER.hash("not the password of any account")
