"""Desktop Excel with the open-source xlwings add-in (or its standalone VBA module).

The Assign Tiers button of a workbook made by ``tierbook new BOOK.xlsm
--desktop`` runs xlwings' ``SampleCall`` macro, which imports the module
named like the workbook and calls its ``main()``: this one. It runs the same
code as the xlwings Lite button.
"""

from __future__ import annotations

import xlwings as xw

from .scripts import (apply_scenario_in, assign_tiers_in, check_data_in, compare_scenarios_in, plan_capacity_in,
                      run_button)


def main() -> None:
    """Assign Tiers on the workbook that called Python."""
    run_button(xw.Book.caller(), assign_tiers_in)


def check_data() -> None:
    """Check Data (bind a button to ``RunPython "import tierbook.excel.desktop as t; t.check_data()"``)."""
    run_button(xw.Book.caller(), check_data_in)


def plan_capacity() -> None:
    """Plan Capacity (``RunPython "import tierbook.excel.desktop as t; t.plan_capacity()"``)."""
    run_button(xw.Book.caller(), plan_capacity_in)


def compare_scenarios() -> None:
    """Compare Scenarios (``RunPython "import tierbook.excel.desktop as t; t.compare_scenarios()"``)."""
    run_button(xw.Book.caller(), compare_scenarios_in)


def apply_scenario() -> None:
    """Apply Scenario (``RunPython "import tierbook.excel.desktop as t; t.apply_scenario()"``)."""
    run_button(xw.Book.caller(), apply_scenario_in)
