"""The password policy (NCSC: length, a deny-list, the person's own details, no composition
rules) and argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from ehdocs.access import passwords

EMAIL, NAME = "sam.taylor@council.example", "Sam Taylor"
COMMON = (
    "Choose a password that is harder to guess: this one is too common, or too close to a "
    "common one"
)


def problem(password: str) -> str | None:
    return passwords.problem(password, email=EMAIL, name=NAME)


@pytest.mark.parametrize(
    "password",
    [
        "plum-kettle-orbit-9",
        "all lower case words are fine",  # no composition rules
        "1958378264019283",  # digits only, long and not a pattern
        "é" * 4 + "ünïcødé wörds",
        "x" * 4 + "yzwv" + "q" * 248,  # 256 characters: the longest allowed
    ],
)
def test_long_uncommon_passwords_are_accepted_whatever_they_are_made_of(password):
    assert problem(password) is None


def test_the_length_is_at_least_12_and_at_most_256():
    assert problem("") == "Enter a password"
    assert problem("short-pass1") == "Password must be 12 characters or more"  # 11
    assert problem("kestrel-lamp-" * 20) == "Password must be 256 characters or fewer"


@pytest.mark.parametrize(
    "password",
    [
        "qwertyuiopasdfghjkl",  # on the list as it is
        "password1234",
        "Password2024!",  # a common word with digits and symbols around it
        "P@ssw0rd12345",  # written with look-alikes
        "correct horse battery staple",
        "Liverpool1892!!",
        "aaaaaaaaaaaaaaa",  # one character over and over
        "121212121212",
        "abcabcabcabc",
    ],
)
def test_common_and_patterned_passwords_are_refused(password):
    assert problem(password) == COMMON


@pytest.mark.parametrize(
    "password", ["sam.taylor2024!", "SamTaylor1234", "TaylorSam!!!!", "Sam.Taylor@council.example"]
)
def test_the_persons_own_name_or_address_is_refused(password):
    assert problem(password) == "Choose a password that is not your name or e-mail address"


def test_the_deny_list_ships_with_the_package_and_holds_a_thousand_passwords():
    common = passwords.common_passwords()

    assert len(common) == 1000
    assert {"123456", "password", "qwerty", "iloveyou", "letmein"} <= common
    assert all(p == p.lower().strip() for p in common)


def test_hashes_are_argon2id_and_verify_only_the_password():
    stored = passwords.hash_password("plum-kettle-orbit-9")

    assert stored.startswith("$argon2id$")
    assert passwords.verify(stored, "plum-kettle-orbit-9")
    assert not passwords.verify(stored, "plum-kettle-orbit-8")
    assert not passwords.verify("not a hash", "plum-kettle-orbit-9")
    assert not passwords.verify(None, "not the password of any account")  # the dummy's own


def test_a_hash_made_with_other_parameters_needs_a_rehash():
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("x" * 12)

    assert passwords.needs_rehash(weaker)
    assert not passwords.needs_rehash(passwords.hash_password("x" * 12))
    assert passwords.verify(weaker, "x" * 12)  # still signs in, then is replaced


def test_a_password_longer_than_the_maximum_is_not_even_hashed():
    stored = passwords.hash_password("y" * 300)

    assert not passwords.verify(stored, "y" * 300)
