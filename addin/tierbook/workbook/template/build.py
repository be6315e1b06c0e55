"""Build the template: every sheet through its writer, then the engine's figures as cached results and the add-in.

The build is deterministic (fixed document dates, fixed zip timestamps), so
the committed template can be compared with a fresh build.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pandas as pd
import xlsxwriter

from ... import __version__
from ...engine.services import default_catalog, default_matrix
from ...engine.settings import Settings
from ...errors import WorkbookError
from ...columns import CapacityCol, CoverageCol, CsmBookCol, HistoryCol, ProblemCol
from ..layout import TEMPLATE_FILE, Sheet, Tables
from .. import text
from .checks import write_run_inputs, write_stale, write_summary_checks
from .inputs import write_accounts, write_matrix, write_rules, write_segments, write_services
from .outputs import write_owned, write_summary
from .protect import protect_sheets
from .scenarios import write_scenarios
from .settings import write_settings
from .start import write_start
from .style import Formats


FIXED_DATE = dt.datetime(2026, 1, 1)


def xlsx_bytes(settings: Settings, catalog: pd.DataFrame, matrix: pd.DataFrame, vba: bytes | None = None) -> bytes:
    """The workbook as XlsxWriter writes it: every sheet, table, format, validation, formula and chart.

    Cached formula results are placeholders here; :func:`build_template`
    replaces them with the engine's figures.
    """
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False,
                                      "strings_to_formulas": False, "strings_to_urls": False})
    wb.set_properties({"title": "Tierbook", "subject": "Customer Success segmentation, tiering and cost to serve",
                       "author": "Tierbook", "company": "", "comments": f"Built by tierbook {__version__} with XlsxWriter {xlsxwriter.__version__}",
                       "created": FIXED_DATE})
    wb.set_calc_mode("auto")
    if vba is not None:
        wb.add_vba_project(io.BytesIO(vba), is_stream=True)
    f = Formats(wb)
    sheets = {name: wb.add_worksheet(name) for name in Sheet.ORDER}
    tiers = settings.tier_names
    f.tier_names = tiers
    write_start(sheets[Sheet.START], f, desktop=vba is not None)
    write_settings(sheets[Sheet.SETTINGS], f, settings)
    write_accounts(sheets[Sheet.ACCOUNTS], f, len(tiers))
    write_segments(sheets[Sheet.SEGMENTS], f, settings)
    write_rules(sheets[Sheet.RULES], f, settings)
    write_services(sheets[Sheet.SERVICES], f, catalog)
    write_matrix(sheets[Sheet.MATRIX], f, matrix, tiers)
    write_summary(wb, sheets[Sheet.SUMMARY], f, tiers)
    write_owned(sheets[Sheet.CAPACITY], f, Sheet.CAPACITY, text.CAPACITY_HINT,
                ((Tables.CAPACITY, CapacityCol.ALL_PLAN), (Tables.ROLE_GAPS, CapacityCol.ALL_ROLES),
                 (Tables.COVERAGE, CoverageCol.ALL), (Tables.CSM_BOOKS, CsmBookCol.ALL)))
    write_owned(sheets[Sheet.DATA_QUALITY], f, Sheet.DATA_QUALITY, text.QUALITY_HINT,
                ((Tables.DATA_QUALITY, ProblemCol.ALL),))
    write_owned(sheets[Sheet.HISTORY], f, Sheet.HISTORY, text.HISTORY_HINT, ((Tables.HISTORY, HistoryCol.ALL),))
    write_scenarios(wb, sheets[Sheet.SCENARIOS], f, settings, desktop=vba is not None)
    write_summary_checks(sheets[Sheet.SUMMARY], f, tiers)
    write_run_inputs(sheets[Sheet.START], f, tiers)
    write_stale(sheets, f, tiers)
    protect_sheets(sheets)
    sheets[Sheet.START].activate()
    wb.close()
    return buffer.getvalue()


def build_template(settings: Settings | None = None, catalog: pd.DataFrame | None = None,
                   matrix: pd.DataFrame | None = None, desktop: bool = False) -> bytes:
    """The template's bytes: the XlsxWriter book with the engine's figures as cached results."""
    from ..assign import refresh_bytes

    settings = settings or Settings()
    catalog = default_catalog(settings) if catalog is None else catalog
    matrix = default_matrix(settings.tier_names) if matrix is None else matrix
    from ..addin import embed_addin

    if desktop:
        return refresh_bytes(xlsx_bytes(settings, catalog, matrix, vba=standalone_vba()), "Tierbook.xlsm")
    return embed_addin(refresh_bytes(xlsx_bytes(settings, catalog, matrix), TEMPLATE_FILE))


def standalone_vba() -> bytes:
    """xlwings' standalone VBA project (RunPython without the add-in), from the installed xlwings.

    It is taken at build time and never stored in this repository. Its
    ``SampleCall`` macro imports the module named like the workbook and runs
    its ``main()``.
    """
    try:
        import xlwings
    except ImportError:
        raise WorkbookError("the desktop variant needs xlwings: pip install 'tierbook[excel]'") from None
    source = Path(xlwings.__file__).parent / "quickstart_standalone.xlsm"
    try:
        with zipfile.ZipFile(source) as z:
            return z.read("xl/vbaProject.bin")
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise WorkbookError(f"{source}: cannot take xlwings' standalone VBA project from it ({exc})") from exc
