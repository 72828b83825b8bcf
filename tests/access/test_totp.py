"""One-time codes: right ones accepted within one step of now, wrong ones refused, none used
twice; the QR code and the key shown for typing in."""

from __future__ import annotations

import pyotp

from ehdocs.access import totp

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
AT = 1_800_000_015.0  # a fixed moment: step 60_000_000


def test_the_code_of_now_is_pyotps_and_is_accepted():
    step = totp.step_now(AT)
    code = pyotp.TOTP(SECRET).at(AT)

    assert totp.code_at(SECRET, step) == code
    assert totp.matching_step(SECRET, code, None, at=AT) == step
    assert totp.matching_step(SECRET, code[:3] + " " + code[3:], None, at=AT) == step


def test_a_code_one_step_either_side_is_accepted_two_steps_is_not():
    for offset, accepted in ((-2, False), (-1, True), (1, True), (2, False)):
        code = pyotp.TOTP(SECRET).at(AT + offset * 30)
        found = totp.matching_step(SECRET, code, None, at=AT)
        assert (found is not None) is accepted, offset


def test_wrong_and_malformed_codes_are_refused():
    right = pyotp.TOTP(SECRET).at(AT)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    for code in (wrong, "", "12345", "1234567", "abcdef", right + "0"):
        assert totp.matching_step(SECRET, code, None, at=AT) is None, code


def test_a_used_code_and_any_earlier_one_are_refused():
    step = totp.step_now(AT)
    code = pyotp.TOTP(SECRET).at(AT)
    earlier = pyotp.TOTP(SECRET).at(AT - 30)

    assert totp.matching_step(SECRET, code, step, at=AT) is None
    assert totp.matching_step(SECRET, earlier, step, at=AT) is None
    later = pyotp.TOTP(SECRET).at(AT + 30)
    assert totp.matching_step(SECRET, later, step, at=AT) == step + 1


def test_new_secrets_are_random_160_bit_base32():
    secrets = {totp.new_secret() for _ in range(20)}

    assert len(secrets) == 20
    assert all(len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for s in secrets)


def test_the_qr_code_is_an_inline_svg_with_a_name_and_holds_the_address():
    uri = totp.provisioning_uri(SECRET, "sam@council.example", "Default council")
    svg = totp.qr_svg(uri, "QR code to scan")

    assert uri.startswith("otpauth://totp/Default%20council:sam%40council.example?secret=")
    assert svg.startswith('<svg role="img" aria-label="QR code to scan" ')
    assert "http" not in svg and "style=" not in svg  # nothing fetched, nothing the CSP blocks


def test_the_key_is_shown_in_groups_of_four():
    assert totp.grouped("ABCDEFGHIJKLMNOP") == "ABCD EFGH IJKL MNOP"
