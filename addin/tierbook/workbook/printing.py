"""The printed page's footer: the sheet, the last Assign Tiers run and the page number.

The template writes the footer of every sheet; Assign Tiers on the file
(``tierbook assign``) puts its run stamp into the footers of the sheets it writes, so a printed Summary,
Capacity or Accounts page says which run its figures come from. The input
sheets' footers name the file instead: their cells are the user's, not a run's.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape

RUN_LABEL = "Assign Tiers run: "
UNSTAMPED = "see Start"
"""The footer's run until ``tierbook assign`` stamps it: the Excel buttons (xlwings) cannot set a page footer,
so a book run only from Excel points to the last-run table on Start instead of naming a run."""
_RUN = re.compile(r"(<oddFooter>[^<]*?&amp;C(?:&amp;\d+)?" + re.escape(RUN_LABEL) + r")[^&<]*")


def footer(run: str | None) -> str:
    """Excel's footer codes: sheet name left, the run (or the file name) centred, page n of N right."""
    centre = f"{RUN_LABEL}{run}" if run is not None else "&F"
    return f"&L&8&A&C&8{centre}&R&8Page &P of &N"


def with_run_stamp(xml: str, stamp: str) -> str:
    """A worksheet's XML whose footer names this run; a footer without a run stamp is left as it is."""
    return _RUN.sub(lambda m: m.group(1) + escape(stamp), xml, count=1)
