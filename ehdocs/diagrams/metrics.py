"""Text sizes for layout without a font engine: DejaVu Sans advance widths, and word wrapping.

The diagram names "DejaVu Sans" first, so these widths match what cairosvg, WeasyPrint and
browsers with that font draw; other fonts of the fallback are close, and the layout keeps air.
"""

from __future__ import annotations

import unicodedata

# Advance widths in 1/1000 em of U+0020..U+007E, read from DejaVuSans.ttf / DejaVuSans-Bold.ttf.
_REGULAR = [
    int(w)
    for w in """
318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636
636 636 337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787
603 787 695 635 611 732 684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635
634 278 278 579 278 974 634 612 635 635 411 521 392 634 592 818 592 592 525 636 337 636 838
""".split()
]
_BOLD = [
    int(w)
    for w in """
348 456 521 838 696 1002 872 306 457 457 523 838 380 415 380 365 696 696 696 696 696 696 696 696
696 696 400 400 838 838 838 580 1000 774 762 734 830 683 683 821 837 372 372 775 637 995 837 850
733 850 770 720 682 812 774 1103 771 724 725 457 365 457 838 500 500 675 716 593 716 678 435 716
712 343 343 665 343 1042 712 687 716 716 493 595 478 712 652 924 645 652 582 712 365 712 838
""".split()
]
_OTHER = 700  # accented Latin, Greek, Cyrillic: a little wider than the Latin average
_WIDE = 1000  # CJK and other full-width characters


def text_width(text: str, size: float, bold: bool = False) -> float:
    table = _BOLD if bold else _REGULAR
    total = 0
    for ch in text:
        code = ord(ch)
        if 32 <= code < 127:
            total += table[code - 32]
        elif unicodedata.combining(ch):
            continue
        elif unicodedata.east_asian_width(ch) in ("W", "F"):
            total += _WIDE
        else:
            total += _OTHER
    return total * size / 1000


def wrap(
    text: str, size: float, max_width: float, max_lines: int = 3, bold: bool = False
) -> list[str]:
    """Greedy word wrap: lines break between words, or after a hyphen in a word; a word wider
    than a line is split as a last resort, with a hyphen (scripts written without spaces, such
    as Chinese, are split between characters without one). With `max_lines` (0: no limit) the
    overflow ends in an ellipsis."""
    lines: list[str] = []
    for word in text.split():
        pieces = _hyphen_pieces(word)
        for n, piece in enumerate(pieces):
            glue = "" if n else " "
            candidate = f"{lines[-1]}{glue}{piece}" if lines else piece
            if lines and text_width(candidate, size, bold) <= max_width:
                lines[-1] = candidate
                continue
            while text_width(piece, size, bold) > max_width:
                cut, mark = _fit(piece, size, max_width, bold)
                lines.append(piece[:cut] + mark)
                piece = piece[cut:]
            lines.append(piece)
    if max_lines and len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", size, bold) > max_width:
            last = last[:-1]
        lines = lines[: max_lines - 1] + [last + "…"]
    return lines


def _hyphen_pieces(word: str) -> list[str]:
    """A word and the places it may break: after each hyphen inside it ("Okafor-", "Bright")."""
    pieces = [""]
    for i, ch in enumerate(word):
        pieces[-1] += ch
        if ch in "-\u2010" and 0 < i < len(word) - 1:
            pieces.append("")
    return pieces


def _wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def _fit(word: str, size: float, max_width: float, bold: bool = False) -> tuple[int, str]:
    """How many characters of a too-wide word go on a line, and the hyphen to add (none
    between characters of a script written without spaces)."""
    cut = 1
    while cut < len(word):
        mark = "" if _wide(word[cut - 1]) and _wide(word[cut]) else "-"
        if text_width(word[: cut + 1] + mark, size, bold) > max_width:
            break
        cut += 1
    mark = "" if cut < len(word) and _wide(word[cut - 1]) and _wide(word[cut]) else "-"
    if mark and cut > 2:
        # no combining mark left at the start of the next line
        while cut > 1 and unicodedata.combining(word[cut]):
            cut -= 1
    return cut, mark
