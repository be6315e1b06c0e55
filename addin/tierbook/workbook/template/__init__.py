"""The Tierbook workbook built from code (XlsxWriter): one module per part of the build.

* :mod:`.style` — fills, fonts and number formats, and the small writers every sheet uses
  (a constant, a table, a formula from :mod:`tierbook.workbook.formulas`, a validation list);
* :mod:`.start` — the Start sheet and its buttons;
* :mod:`.settings` — the Settings sheet and its tables;
* :mod:`.inputs` — the sheets users fill in: Accounts, Segments, Tier Rules, Services, Matrix;
* :mod:`.outputs` — the sheets formulas and Assign Tiers fill: Summary, Capacity, Data Quality,
  Tier History; :mod:`.charts` — the Summary's charts;
* :mod:`.build` — every sheet in order, then the engine's figures as cached results and the
  xlwings Lite add-in (:func:`build_template`, which ``tierbook new`` uses).

A package rather than one module because each sheet's writer is a page of
its own, and a change to one sheet should not mean reading them all.
"""

from .build import build_template, xlsx_bytes

__all__ = ["build_template", "xlsx_bytes"]
