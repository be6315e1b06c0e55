"""Developer tools of the Tierbook repository: not installed with the package, not bundled into a workbook.

* :mod:`tools.template` — regenerate ``workbook_template/Tierbook.xlsx``, or check that it is current;
* :mod:`tools.render` — print the demo workbook to PDF, count each sheet's pages, render the README's pictures
  (LibreOffice and poppler's pdftoppm, pdftotext);
* :mod:`tools.libreoffice` — headless LibreOffice with a forced recalculation (the tests use it).

Run them from the repository root with the environment ``./run`` builds,
e.g. ``.venv/bin/python tools/template.py --check``.
"""
