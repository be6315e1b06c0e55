"""The main.py inside the workbook carries what the buttons and functions import, and runs from it alone."""

import asyncio
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import xlwings as xw
import xlwings.server

import tierbook.excel.scripts as scripts
from tierbook.excel import functions
from tests.excel.officejs import payload
from tierbook.workbook import addin, bundle
from tierbook.workbook.lite_runtime import requirements_txt
from tierbook.workbook.create import new_book

PROBE = Path(__file__).with_name("lite_probe.py")
SCRIPTS = {"assign_tiers": scripts.ASSIGN_SHEETS, "check_data": scripts.CHECK_SHEETS,
           "plan_capacity": scripts.CAPACITY_SHEETS, "export_for_crm": scripts.EXPORT_SHEETS}


def function_call(name: str, *args: object) -> dict:
    return {"func_name": name, "args": [a if isinstance(a, list) else [[a]] for a in args],
            "caller_address": "Sheet1!A1", "version": xw.__version__, "client": "Office.js", "runtime": "1.4",
            "culture_info_name": "en-US", "date_format": "M/d/yyyy"}


def test_the_bundle_is_the_import_closure_of_the_buttons_and_functions():
    bundled = set(bundle.package_sources())
    assert {"tierbook/excel/scripts.py", "tierbook/excel/functions.py", "tierbook/engine/tiers.py",
            "tierbook/crm/rules_export.py"} <= bundled  # the rule compiler: imported when Export for CRM is pressed
    assert not bundled & {"tierbook/cli.py", "tierbook/tasks.py", "tierbook/files.py", "tierbook/workbook/template/build.py",
                          "tierbook/workbook/create.py", "tierbook/workbook/addin.py", "tierbook/workbook/bundle.py"}


def test_the_bundle_imports_only_what_lite_installs_or_python_ships():
    installed = {line.split(">")[0].split("=")[0].split("<")[0] for line in requirements_txt().splitlines()}
    assert bundle.outside_imports() <= installed, bundle.outside_imports() - installed


def test_every_button_and_function_runs_from_the_bundle_alone(tmp_path):
    book = tmp_path / "Tierbook.xlsx"
    new_book(book, sample=120, seed=4)
    with zipfile.ZipFile(book) as z:
        (tmp_path / "main.py").write_text(addin.read_embedded(z.read(addin.WEBEXTENSION_PART))["main.py"])
    (tmp_path / "scripts.json").write_text(json.dumps({name: payload(book, list(sheets))
                                                       for name, sheets in SCRIPTS.items()}, default=str))
    calls = [function_call("tb_segment", 5_000, 20_000), function_call("tb_tiers", [[40], [30], [20], [10]]),
             function_call("tb_annual_cost", 250.5, 4), function_call("tb_assessed_value", 1002, 0.3)]
    (tmp_path / "functions.json").write_text(json.dumps(calls))
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "XLWINGS_ON_SERVER": "true", "PYTHONPATH": ""}
    run = subprocess.run([sys.executable, str(PROBE), "main.py", "scripts.json", "functions.json"], cwd=tmp_path,
                         env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout.strip().splitlines()[-1])
    assert "tierbook-" in found["root"] and "/addin" not in found["root"]
    assert found["outside"] == [], "loaded from outside the bundle: " + ", ".join(found["outside"])
    assert found["offers"] == {"functions": ["TB_ANNUAL_COST", "TB_ASSESSED_VALUE", "TB_COST_TO_SERVE", "TB_SEGMENT",
                                             "TB_TIERS"],
                               "scripts": ["apply_scenario", "assign_tiers", "check_data", "compare_scenarios",
                                           "export_for_crm", "plan_capacity"]}
    shown = {name: messages for name, messages in found["scripts"].items()}
    assert shown["assign_tiers"][0][0].startswith("120 accounts tiered,")
    assert shown["check_data"][0][0].startswith("120 accounts checked:")
    assert shown["plan_capacity"][0][0].startswith("Capacity plan:")
    assert shown["export_for_crm"][0][0].startswith("Export for CRM:")
    direct = [asyncio.run(xlwings.server.custom_functions_call(call, functions)) for call in calls]
    assert found["functions"] == direct and direct[0] == [["Large Opportunity"]]
