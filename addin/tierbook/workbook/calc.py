"""How a written book tells Excel to recalculate: the recalc-on-load flag, and leaving out a stale calculation chain."""

from __future__ import annotations

import re

from .package import Edits, Package


def calc_on_load(package: Package, parts: Edits) -> None:
    """Ask Excel to recalculate everything when it opens the file (LibreOffice uses the cached results)."""
    xml = package.current(package.workbook_part, parts) or ""
    m = re.search(r"<calcPr\b[^>]*?/?>", xml)
    if m and re.search(r'fullCalcOnLoad="(1|true)"', m.group(0)):
        return
    if m:
        tag = re.sub(r'\sfullCalcOnLoad="[^"]*"', "", m.group(0))
        tag = tag.replace("<calcPr", '<calcPr fullCalcOnLoad="1"', 1)
        xml = xml[: m.start()] + tag + xml[m.end():]
    else:
        anchor = "</definedNames>" if "</definedNames>" in xml else "</sheets>"
        xml = xml.replace(anchor, anchor + '<calcPr fullCalcOnLoad="1"/>', 1)
    parts[package.workbook_part] = xml.encode("utf-8")


def drop_calc_chain(package: Package, parts: Edits) -> None:
    """Leave out Excel's calculation chain (a cache of formula cells) once formula cells changed.

    A stale chain makes Excel offer to repair the file; without one, Excel
    rebuilds it on the next save. The chain's relationship and content type go with it.
    """
    for rtype, target in package.relationships(package.workbook_part).values():
        if rtype.endswith("/calcChain") and target in package.data:
            package.remove_part(parts, target)
