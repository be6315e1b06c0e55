"""The ``main.py`` an xlwings Lite workbook runs: Tierbook's own modules, packed, and the front end.

Tierbook is not on PyPI, and a wheel named in ``requirements.txt`` would
need a web server that allows cross-origin requests. So ``main.py`` carries
the package's source files, compressed. On start it unpacks them into
Pyodide's in-memory file system and imports the custom functions and the
button scripts from there. The workbook stays self-contained and works offline.

Only the modules the functions and the buttons can import go in: the import
closure of :data:`ENTRY_MODULES`, including imports made inside functions
(Export for CRM imports the rule compiler when it is pressed).

``main.py`` is generated (``python -m tierbook.workbook.addin`` prints it) and
never edited by hand; a test checks that the template's copy equals a fresh build.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import json
import sys
import zlib
from pathlib import Path

from .. import __version__

PACKAGE_DIR = Path(__file__).resolve().parent.parent
ENTRY_MODULES = ("tierbook.excel.functions", "tierbook.excel.scripts")


def module_file(name: str) -> Path | None:
    """The source file of a Tierbook module or package; None for any other module."""
    head, *rest = name.split(".")
    if head != PACKAGE_DIR.name:
        return None
    base = PACKAGE_DIR.joinpath(*rest)
    if rest and base.with_suffix(".py").is_file():
        return base.with_suffix(".py")
    return base / "__init__.py" if (base / "__init__.py").is_file() else None


class _Imports(ast.NodeVisitor):
    """The modules a source file imports, except under ``if TYPE_CHECKING:``.

    With ``lazy``, also those imported inside functions; without, only the
    ones imported when the module is.
    """

    def __init__(self, package: str, lazy: bool) -> None:
        self.package = package
        self.lazy = lazy
        self.found: set[str] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        if self.lazy:
            self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
        if name == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.package.split(".")
            parts = parts[: len(parts) - node.level + 1]
            module = ".".join(parts + ([node.module] if node.module else []))
        else:
            module = node.module or ""
        self.found.add(module)
        self.found.update(f"{module}.{alias.name}" for alias in node.names)  # a name may be a submodule


def imports_of(name: str, path: Path, lazy: bool = False) -> set[str]:
    """The modules one file imports (names that may be modules included); ``lazy``: inside functions too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    visitor = _Imports(package, lazy)
    visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return visitor.found


def import_closure(entries: tuple[str, ...] = ENTRY_MODULES) -> dict[str, Path]:
    """Every Tierbook module the entry modules import, directly or not, with the packages they sit in.

    The entry modules' own imports count wherever they are (a button that
    imports its helpers when pressed needs them); elsewhere, the imports a
    module runs when it is imported. An import inside some other function
    belongs to a path no button takes: reading a file, the CSV import, the
    workbook writer. The test suite runs every button and function from the
    bundle and checks that none of them loads a Tierbook module from outside it.
    """
    found: dict[str, Path] = {}
    todo = list(entries)
    while todo:
        name = todo.pop()
        path = None if name in found else module_file(name)
        if path is None:
            continue
        found[name] = path
        todo.append(name.rpartition(".")[0])
        todo.extend(imports_of(name, path, lazy=name in entries))
    return dict(sorted(found.items()))


def outside_imports(entries: tuple[str, ...] = ENTRY_MODULES) -> set[str]:
    """The top-level names of the non-Tierbook, non-standard-library modules the bundle imports as it runs."""
    names = set()
    for name, path in import_closure(entries).items():
        names |= {m.split(".")[0] for m in imports_of(name, path, lazy=name in entries) if m}
    return {n for n in names if n != PACKAGE_DIR.name and n not in sys.stdlib_module_names}


def package_sources() -> dict[str, str]:
    """The bundled files, as path (``tierbook/...``) -> source."""
    return {path.relative_to(PACKAGE_DIR.parent).as_posix(): path.read_text(encoding="utf-8")
            for path in import_closure().values()}


def main_py() -> str:
    """The ``main.py`` xlwings Lite runs: the bundled package, then the front end.

    The payload is URL-safe base64 (no ``/``, which Office escapes as ``\\/``),
    one triple-quoted string whose line breaks the decoder skips.
    """
    blob = json.dumps(package_sources(), sort_keys=True).encode("utf-8")
    packed = base64.urlsafe_b64encode(zlib.compress(blob, 9)).decode("ascii")
    lines = "\n".join(packed[i : i + 100] for i in range(0, len(packed), 100))
    digest = hashlib.sha256(blob).hexdigest()[:16]
    return f'''"""Tierbook {__version__} for xlwings Lite. Generated, do not edit: change the
Tierbook package and rebuild the template instead.

The custom functions (TB_SEGMENT, TB_TIERS, TB_ANNUAL_COST, TB_ASSESSED_VALUE,
TB_COST_TO_SERVE) and the scripts behind the sheet buttons (Assign Tiers,
Check Data, Plan Capacity, Export for CRM) come from the package below.
Package digest: {digest}
"""

import base64
import json
import sys
import tempfile
import zlib
from pathlib import Path

_PACKAGE = """
{lines}
"""


def _unpack() -> None:
    """Write the bundled package into Pyodide's in-memory file system, once."""
    if "tierbook" in sys.modules:
        return
    root = Path(tempfile.mkdtemp(prefix="tierbook-"))
    files = json.loads(zlib.decompress(base64.urlsafe_b64decode(_PACKAGE.replace("\\n", ""))))
    for name, source in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))


_unpack()

from tierbook.excel.functions import *  # noqa: E402,F401,F403
from tierbook.excel.scripts import *  # noqa: E402,F401,F403
'''
