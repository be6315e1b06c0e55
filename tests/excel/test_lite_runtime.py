"""The code runs on what xlwings Lite runs it on: the workbook's Pyodide numpy and pandas, its xlwings range.

``./run test`` runs tests/engine and tests/excel twice more in .venv-pyodide, with
numpy and pandas pinned to the Pyodide the workbook names and no pyarrow (the
machine's Python stands in for Pyodide's: the numpy and pandas versions are what
must match): once with the newest xlwings the workbook allows
(TIERBOOK_LITE_LEG=pyodide), once with the lowest (pyodide-lowest-xlwings).
"""

import importlib.metadata
import importlib.util
import os
import tomllib
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xlwings
from packaging.specifiers import SpecifierSet

from tierbook.workbook import addin
from tierbook.workbook.lite_runtime import (
    DISTRIBUTIONS,
    PYODIDE_VERSION,
    XLWINGS_LOWEST,
    distribution,
    lite_leg_requirements,
    xlwings_requirement,
)
from tools.template import default_path

LEG = os.environ.get("TIERBOOK_LITE_LEG", "")
in_lite_leg = pytest.mark.skipif(not LEG, reason="runs in the xlwings Lite legs of ./run test (.venv-pyodide)")


def workbook_pyodide() -> str:
    with zipfile.ZipFile(default_path()) as z:
        return str(addin.read_embedded(z.read(addin.WEBEXTENSION_PART))["pyodideVersion"])


def test_the_workbook_names_a_pyodide_whose_numpy_and_pandas_are_known():
    assert workbook_pyodide() == PYODIDE_VERSION
    assert distribution(PYODIDE_VERSION).pandas == DISTRIBUTIONS[workbook_pyodide()].pandas
    with pytest.raises(KeyError, match="Pyodide 9.9.9 is not in Tierbook's table"):
        distribution("9.9.9")


def test_the_lite_leg_pins_numpy_and_pandas_from_the_same_table():
    dist = distribution()
    assert {f"numpy=={dist.numpy}", f"pandas=={dist.pandas}", xlwings_requirement()} <= set(lite_leg_requirements())
    assert not any(r.startswith("pyarrow") for r in lite_leg_requirements())


@in_lite_leg
def test_this_leg_runs_the_numpy_and_pandas_of_the_pyodide_the_workbook_names():
    dist = DISTRIBUTIONS[workbook_pyodide()]
    assert (np.__version__, pd.__version__) == (dist.numpy, dist.pandas), (
        f"the workbook names Pyodide {dist.pyodide} (numpy {dist.numpy}, pandas {dist.pandas}); "
        "rebuild .venv-pyodide: ./run test")
    assert importlib.util.find_spec("pyarrow") is None, "Pyodide does not load pyarrow for Tierbook"


@pytest.mark.skipif(LEG != "pyodide-lowest-xlwings", reason="runs in the lowest-xlwings leg of ./run test")
def test_this_leg_runs_the_lowest_xlwings_the_workbook_allows():
    assert xlwings.__version__ == XLWINGS_LOWEST
    assert Path(xlwings.__file__).parent.parent.name == "xlwings-lowest"


def test_the_xlwings_in_use_is_one_the_workbook_allows():
    allowed = SpecifierSet(xlwings_requirement().removeprefix("xlwings"))
    assert xlwings.__version__ in allowed
    assert XLWINGS_LOWEST in allowed and "1.0" not in allowed


def test_desktop_excel_installs_the_same_xlwings_range():
    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    extras = pyproject["project"]["optional-dependencies"]
    assert xlwings_requirement() in extras["excel"] and xlwings_requirement() in extras["test"]
    assert importlib.metadata.version("xlwings") == xlwings.__version__
