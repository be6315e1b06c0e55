"""The shared template carries xlwings Lite, Tierbook's code and the buttons."""

import json
import os
import re
import subprocess
import sys
import zipfile

import pytest
import xlwings.server

import tierbook.excel.scripts as scripts
from tierbook.excel import lite
from tierbook.layout import Buttons, Sheet
from tierbook.workbook.template import default_path

TEMPLATE = default_path()


@pytest.fixture(scope="module")
def members():
    with zipfile.ZipFile(TEMPLATE) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_the_template_offers_the_xlwings_lite_add_in(members):
    part = members[lite.WEBEXTENSION_PART].decode()
    assert re.search(r'<we:reference id="wa200008175"[^>]*storeType="OMEX"', part)
    assert lite.TASKPANES_REL_TYPE in members["_rels/.rels"].decode()
    types = members["[Content_Types].xml"].decode()
    assert 'PartName="/xl/webextensions/webextension1.xml"' in types
    assert not any("vbaProject" in name for name in members)  # no macros in the shared template


def test_the_template_holds_the_current_main_py_and_requirements(members):
    embedded = lite.read_embedded(members[lite.WEBEXTENSION_PART])
    assert embedded["main.py"] == lite.main_py(), "the template's main.py is stale: python -m tierbook.workbook.template"
    assert embedded["requirements.txt"].splitlines()[0] == f"xlwings=={lite.XLWINGS_VERSION}"


def test_every_button_shape_exists_and_links_to_the_cell_its_script_names(members):
    meta = {m["button"]: m["function_name"] for m in xlwings.server.custom_scripts_meta(scripts) if m.get("button")}
    start_drawing = next(n for n, d in members.items() if n.startswith("xl/drawings/drawing") and b"btnAssignTiers" in d)
    drawing = members[start_drawing].decode()
    rels = members[start_drawing.replace("drawings/", "drawings/_rels/") + ".rels"].decode()
    targets = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels))
    for place in Buttons.ALL:
        shape = re.search(rf'<xdr:cNvPr id="\d+" name="{place.shape}"><a:hlinkClick [^>]*r:id="(rId\d+)"', drawing)
        assert shape, f"no shape named {place.shape}"
        assert targets[shape.group(1)] == f"#{Sheet.START}!{place.cell}"
        reference = f"[{place.shape}]{Sheet.START}!{place.cell}"
        assert reference in meta, f"no script is bound to {reference}"


def test_main_py_runs_the_bundled_package_not_an_installed_one(tmp_path, members):
    main = lite.read_embedded(members[lite.WEBEXTENSION_PART])["main.py"]
    (tmp_path / "main.py").write_text(main)
    probe = (
        "import importlib.util, json, xlwings.server\n"
        "spec = importlib.util.spec_from_file_location('main', 'main.py')\n"
        "main = importlib.util.module_from_spec(spec); spec.loader.exec_module(main)\n"
        "import tierbook\n"
        "print(json.dumps({'file': tierbook.__file__,"
        " 'functions': sorted(f['name'] for f in xlwings.server.custom_functions_meta(main)['functions']),"
        " 'scripts': sorted(s['function_name'] for s in xlwings.server.custom_scripts_meta(main))}))\n"
    )
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "XLWINGS_ON_SERVER": "true", "PYTHONPATH": ""}
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert "tierbook-" in found["file"] and "/addin/" not in found["file"]
    assert found["functions"] == ["TB_ANNUAL_COST", "TB_ASSESSED_VALUE", "TB_COST_TO_SERVE", "TB_SEGMENT", "TB_TIERS"]
    assert found["scripts"] == ["assign_tiers", "check_data", "export_for_crm", "plan_capacity"]
