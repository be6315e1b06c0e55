"""What xlwings Lite runs Tierbook's code on: the Pyodide distribution and the packages it installs.

One table, read by the bundle writer (the ``pyodideVersion`` and
``requirements.txt`` a workbook carries) and by the test leg that runs the
Excel code under the same numpy and pandas (``./run test`` builds it from
``python -m tierbook.workbook.lite_runtime test-requirements``).

Facts about Lite and Pyodide behind the choices (lite.xlwings.org, pyodide.org):

- Pyodide fixes numpy and pandas: a workbook cannot choose them, only the
  Pyodide version. 0.27.5 ships Python 3.12.7, numpy 2.0.2, pandas 2.2.3;
  314.0.0 ships Python 3.14.2, numpy 2.4.3, pandas 3.0.2 (the same in
  314.0.0 to 314.0.4). Neither loads pyarrow unless a workbook asks for it.
- Lite runs 314.0.x for new workbooks, and keeps package versions stable
  across restarts (``requirements-pinned.txt``) only from Pyodide 314.0.0 on.
  Tierbook names 314.0.0.
- Lite's docs advise a range with an upper bound in ``requirements.txt``
  rather than an exact pin; Lite records the versions it installed itself.
- xlwings: sheet buttons and ``@script(include=...)`` need 0.33.14; the
  fixes for Pyodide 314.0.0 came in 0.36.6 and 0.36.7 (empty cell values in
  custom functions); ``Sheet.used_range``, with which every button reads its
  sheets as whole blocks, exists in xlwings' remote (Lite) engine from 0.37.0
  on (0.36.17 raises NotImplementedError). So the lowest xlwings Tierbook
  declares is 0.37.0, and a test leg runs the Excel code with exactly it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Distribution:
    """One Pyodide release: the Python, numpy and pandas it ships."""

    pyodide: str
    python: str
    numpy: str
    pandas: str


DISTRIBUTIONS: dict[str, Distribution] = {
    d.pyodide: d
    for d in (
        Distribution("0.27.5", python="3.12.7", numpy="2.0.2", pandas="2.2.3"),
        Distribution("314.0.0", python="3.14.2", numpy="2.4.3", pandas="3.0.2"),
    )
}
PYODIDE_VERSION = "314.0.0"
"""The Pyodide version every Tierbook workbook names."""

XLWINGS_LOWEST = "0.37.0"
XLWINGS_BELOW = "1.0"
SQLGLOT_VERSION = "30.30.0"  # pure Python, installed by Lite from PyPI; the version the rule compiler is tested with


def distribution(version: str = PYODIDE_VERSION) -> Distribution:
    """The numpy/pandas/Python of a Pyodide version; a version not in the table is an error."""
    try:
        return DISTRIBUTIONS[version]
    except KeyError:
        known = ", ".join(DISTRIBUTIONS)
        raise KeyError(f"Pyodide {version} is not in Tierbook's table (known: {known})") from None


def xlwings_requirement() -> str:
    return f"xlwings>={XLWINGS_LOWEST},<{XLWINGS_BELOW}"


def requirements_txt() -> str:
    """The workbook's ``requirements.txt``: xlwings (a range) and sqlglot; numpy and pandas come with Pyodide."""
    return f"{xlwings_requirement()}\nsqlglot=={SQLGLOT_VERSION}\npandas\nnumpy\n"


def lite_leg_requirements(version: str = PYODIDE_VERSION) -> list[str]:
    """What the Lite test leg installs: the workbook's requirements, with numpy and pandas as Pyodide ships them."""
    dist = distribution(version)
    named = [line for line in requirements_txt().splitlines() if line not in ("pandas", "numpy")]
    return [*named, f"numpy=={dist.numpy}", f"pandas=={dist.pandas}"]


def main(argv: list[str]) -> int:
    """``test-requirements`` prints the Lite leg's pins, one a line; ``lowest-xlwings`` the lowest xlwings."""
    if argv == ["test-requirements"]:
        print("\n".join(lite_leg_requirements()))
    elif argv == ["lowest-xlwings"]:
        print(f"xlwings=={XLWINGS_LOWEST}")
    else:
        print("usage: python -m tierbook.workbook.lite_runtime test-requirements | lowest-xlwings", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
