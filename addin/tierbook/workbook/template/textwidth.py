"""How wide a text shows in a cell: Calibri 11's advance widths, so that column widths follow from the texts.

Excel shows the template in Calibri 11 and LibreOffice in Carlito, its
metric-compatible twin, so one table of advance widths serves both. Widths
are in pixels at 100 % zoom (96 dpi); a column of width ``w`` (characters of
Calibri 11's 7-pixel digit) is ``int(w * 7 + 0.5) + 5`` pixels wide, as
Excel converts it.
"""

from __future__ import annotations

import math

# Advance widths of printable ASCII (space to tilde) in 1/2048 em, Carlito regular and bold.
_REGULAR = (
    463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791,
    1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 548, 548, 1020, 1020, 1020, 949,
    1831, 1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751, 1322, 1356,
    1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959, 628, 791, 628, 1020, 1020,
    596, 981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636, 1076, 1080,
    1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644, 1020,
)
_BOLD = (
    463, 667, 898, 1020, 1038, 1493, 1443, 478, 638, 638, 1020, 1020, 528, 627, 547, 880,
    1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 565, 565, 1020, 1020, 1020, 949,
    1840, 1241, 1148, 1084, 1291, 999, 940, 1305, 1292, 546, 678, 1120, 866, 1790, 1349, 1385,
    1090, 1405, 1153, 968, 1014, 1337, 1211, 1856, 1128, 1064, 979, 665, 880, 665, 1020, 1020,
    615, 1011, 1099, 857, 1099, 1031, 648, 971, 1099, 503, 523, 983, 503, 1666, 1099, 1101,
    1099, 1099, 728, 817, 710, 1099, 969, 1526, 941, 970, 814, 704, 973, 704, 1020,
)
_EM = 2048
_WIDE = 1300  # any other character: a wide letter, so a text is never thought narrower than it shows

FONT_SIZE = 11
LINE_POINTS = 15.0
"""Height of one line of Calibri 11 in a row (points): Excel's default row height."""
DIGIT_PIXELS = 7
CELL_PADDING = 6
"""Pixels of a cell's width that text cannot use (the margin left and right of it)."""
FILTER_BUTTON = 18
"""Pixels the filter button of a table header covers at the right of the cell."""


def text_pixels(text: str, bold: bool = False, size: float = FONT_SIZE) -> float:
    """The width of ``text`` on one line, in pixels at 100 % zoom."""
    table = _BOLD if bold else _REGULAR
    units = sum(table[ord(ch) - 32] if 32 <= ord(ch) < 127 else _WIDE for ch in text)
    return units / _EM * size * 96 / 72


def column_pixels(width: float) -> int:
    """Pixels of a column of ``width`` characters, as Excel converts it."""
    return int(width * DIGIT_PIXELS + 0.5) + 5


def wrap(text: str, pixels: float, bold: bool = False) -> list[str]:
    """The lines ``text`` wraps into in ``pixels`` of room: words fill a line, as Excel and LibreOffice wrap."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            trial = f"{line} {word}" if line else word
            if line and text_pixels(trial, bold) > pixels:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
    return lines


def fits(text: str, width: float, lines: int, bold: bool = False, reserve: int = 0) -> bool:
    """Whether ``text`` shows whole in a column of ``width`` within ``lines`` lines."""
    room = column_pixels(width) - CELL_PADDING - reserve
    wrapped = wrap(text, room, bold)
    return len(wrapped) <= lines and all(text_pixels(line, bold) <= room for line in wrapped)


def width_for(text: str, declared: float, lines: int = 1, bold: bool = False, reserve: int = 0) -> float:
    """The declared width, or the least half-character wider that shows ``text`` whole in ``lines`` lines."""
    width = declared
    while not fits(text, width, lines, bold, reserve):
        width += 0.5
    return width


def lines_for(text: str, width: float, bold: bool = False, reserve: int = 0) -> int:
    """How many lines ``text`` takes in a wrapping column of ``width``."""
    return len(wrap(text, column_pixels(width) - CELL_PADDING - reserve, bold))


def row_points(lines: int) -> float:
    """The height of a row showing ``lines`` lines of Calibri 11."""
    return math.ceil(lines * LINE_POINTS)
