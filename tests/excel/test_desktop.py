"""The desktop variant: a macro workbook whose button calls Python through xlwings."""

import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwings

import tierbook.excel.desktop as desktop
from tierbook.cli import main
from tierbook.workbook.layout import Buttons, Sheet


def test_new_desktop_book_carries_xlwings_standalone_vba_and_a_button_to_it(tmp_path, capsys):
    book = tmp_path / "Tiers.xlsm"
    assert main(["new", str(book), "--desktop"]) == 0
    with zipfile.ZipFile(book) as z:
        names = z.namelist()
        vba = z.read("xl/vbaProject.bin")
        types = z.read("[Content_Types].xml").decode()
        vml = next(z.read(n).decode() for n in names if n.endswith(".vml"))
    with zipfile.ZipFile(Path(xlwings.__file__).parent / "quickstart_standalone.xlsm") as z:
        assert vba == z.read("xl/vbaProject.bin")
    assert "macroEnabled.main+xml" in types
    assert "<x:FmlaMacro>[0]!SampleCall</x:FmlaMacro>" in vml
    assert Buttons.ASSIGN_TIERS.label in vml
    assert not any(n.startswith("xl/webextensions/") for n in names)
    scenarios = openpyxl.load_workbook(book)[Sheet.SCENARIOS]
    for place, call in ((Buttons.COMPARE_SCENARIOS, "t.compare_scenarios()"), (Buttons.APPLY_SCENARIO, "t.apply_scenario()")):
        assert scenarios[place.cell].value.endswith(f'RunPython "import tierbook.excel.desktop as t; {call}"')
        assert callable(getattr(desktop, call[2:-2]))
    assert "btnCompareScenarios" not in vml
    companion = (tmp_path / "Tiers.py").read_text()
    assert "from tierbook.excel.desktop import main" in companion
    compile(companion, "Tiers.py", "exec")


@pytest.mark.parametrize("name, message", [
    ("My Book.xlsm", "must be a Python identifier (letters, digits, _), e.g. My_Book.xlsm"),
    ("Tiers.xlsx", "the desktop variant is a macro workbook; name it Tiers.xlsm"),
])
def test_a_desktop_book_needs_a_macro_workbook_named_like_a_module(tmp_path, capsys, name, message):
    assert main(["new", str(tmp_path / name), "--desktop"]) == 2
    assert message in capsys.readouterr().err


def test_the_default_template_stays_macro_free(tmp_path):
    book = tmp_path / "Shared.xlsx"
    assert main(["new", str(book)]) == 0
    with zipfile.ZipFile(book) as z:
        assert not any("vbaProject" in n for n in z.namelist())
