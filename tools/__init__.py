"""Developer tools of the Tierbook repository: not installed with the package, not bundled into a workbook.

* :mod:`tools.template` — regenerate ``workbook_template/Tierbook.xlsx``, or check that it is current;
* :mod:`tools.render` — render the README's Summary picture (LibreOffice and pdftoppm);
* :mod:`tools.libreoffice` — headless LibreOffice with a forced recalculation (the tests use it).

Run them from the repository root with the environment ``./run`` builds,
e.g. ``.venv/bin/python tools/template.py --check``.
"""
