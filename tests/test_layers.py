"""The package's import graph: no cycle, no arrow back up, an engine that touches no file.

Every module of ``addin/tierbook`` is read with ``ast`` (nothing is imported).
An import counts wherever it is written, at module level or inside a
function; an import under ``if TYPE_CHECKING:`` never runs and does not
count. The layers, lowest first:

    engine  <-  crm  <-  workbook  <-  excel  <-  tasks  <-  cli

A module may import its own layer or a lower one. ``errors`` sits at the
bottom with the engine. The vocabulary (column, tier, setting and sheet
names: ``layout``, ``columns``, ``workbook.layout``) and the other top-level
helpers (``files``, ``atomic``, ``sample``, ``report``, ``functions``) sit
where their imports put them, so whatever imports them must stand at least
that high; the engine may import the vocabulary and ``errors``, nothing else
outside itself.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "addin" / "tierbook"
ROOT = PACKAGE_DIR.name

LAYERS = {"tierbook.engine": 0, "tierbook.crm": 1, "tierbook.workbook": 2, "tierbook.excel": 3,
          "tierbook.tasks": 4, "tierbook.cli": 5}
LAYER_NAMES = {v: k.removeprefix("tierbook.") for k, v in LAYERS.items()}
VOCABULARY = {"tierbook.columns", "tierbook.workbook.layout"}
ENGINE_MAY_IMPORT = {"tierbook.errors", *VOCABULARY}

# What the engine may not import (top-level names, or dotted prefixes): every module that opens files.
FILE_MODULES = {"os", "io", "pathlib", "zipfile", "shutil", "tempfile", "glob", "csv", "pickle", "shelve",
                "sqlite3", "gzip", "bz2", "lzma", "tarfile", "fileinput", "mmap", "openpyxl", "xlsxwriter",
                "python_calamine", "fastexcel", "xlwings", "msoffcrypto", "pyarrow.parquet", "pyarrow.csv",
                "pyarrow.feather", "pyarrow.orc", "pyarrow.dataset", "pandas.io", "tierbook.files",
                "tierbook.atomic"}
FILE_CALLS = {"read_csv", "to_csv", "read_excel", "to_excel", "ExcelFile", "ExcelWriter", "read_parquet",
              "to_parquet", "read_feather", "to_feather", "read_json", "to_json", "read_pickle", "to_pickle",
              "read_table", "read_fwf", "read_html", "to_html", "read_text", "write_text", "read_bytes",
              "write_bytes", "savetxt", "loadtxt", "genfromtxt", "fromfile", "tofile", "save", "load"}


@dataclass(frozen=True)
class Import:
    source: str   # the importing module
    target: str   # the imported module (a Tierbook module, or any other dotted name)
    line: int

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} (line {self.line})"


def module_name(path: Path, package_dir: Path) -> str:
    parts = path.relative_to(package_dir.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


class _Reader(ast.NodeVisitor):
    """The imports of one module, with relative ones resolved and ``from X import y`` read as X.y when y is a module."""

    def __init__(self, module: str, is_package: bool, modules: set[str]) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.modules = modules
        self.found: list[Import] = []
        self.calls: list[tuple[str, int]] = []

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else ""
        if name != "TYPE_CHECKING":
            self.generic_visit(node)
            return
        for child in node.orelse:
            self.visit(child)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            parts = self.package.split(".")
            base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        if base == "__future__":
            return
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.modules else base, node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            self.calls.append(("open()", node.lineno))
        elif isinstance(func, ast.Attribute) and func.attr in FILE_CALLS:
            self.calls.append((f".{func.attr}()", node.lineno))
        self.generic_visit(node)

    def _add(self, name: str, line: int) -> None:
        if name == ROOT or name.startswith(ROOT + "."):  # the nearest Tierbook module the name names
            while name not in self.modules and "." in name:
                name = name.rpartition(".")[0]
        self.found.append(Import(self.module, name, line))


@dataclass
class Graph:
    imports: list[Import]
    calls: dict[str, list[tuple[str, int]]]
    modules: set[str]

    def edges(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {m: set() for m in self.modules}
        for imp in self.imports:
            if imp.target in self.modules and imp.target != imp.source:
                out[imp.source].add(imp.target)
        return out


def read_graph(package_dir: Path = PACKAGE_DIR) -> Graph:
    files = {module_name(p, package_dir): p for p in sorted(package_dir.rglob("*.py"))}
    modules = set(files)
    imports, calls = [], {}
    for name, path in files.items():
        reader = _Reader(name, path.name == "__init__.py", modules)
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        imports += reader.found
        calls[name] = reader.calls
    return Graph(imports, calls, modules)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as the modules along it (the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(edges):
        if start not in state:
            found = visit(start)
            if found:
                return found
    return None


def fixed_layer(module: str) -> int | None:
    """The layer of a module of a layer package; ``errors`` at the bottom; None: where its imports put it."""
    if module == "tierbook.errors":
        return 0
    if module in VOCABULARY:
        return None
    for prefix, layer in LAYERS.items():
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def layers(graph: Graph) -> dict[str, int]:
    """Each module's layer: fixed for the layer packages, else the highest layer among what it imports."""
    edges = graph.edges()
    out: dict[str, int] = {}

    def layer(module: str, seen: frozenset[str] = frozenset()) -> int:
        if module not in out:
            fixed = fixed_layer(module)
            below = [layer(m, seen | {module}) for m in edges[module] if m not in seen]
            out[module] = fixed if fixed is not None else max(below, default=0)
        return out[module]

    for module in sorted(graph.modules):
        layer(module)
    return out


@pytest.fixture(scope="module")
def graph() -> Graph:
    return read_graph()


# ------------------------------------------------------------------- the rules
def test_the_import_graph_has_no_cycle(graph):
    cycle = find_cycle(graph.edges())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_import_goes_from_a_lower_layer_to_a_higher_one(graph):
    layer = layers(graph)
    upward = [f"{imp}: {LAYER_NAMES.get(layer[imp.source], layer[imp.source])} imports "
              f"{LAYER_NAMES.get(layer[imp.target], layer[imp.target])}"
              for imp in graph.imports
              if imp.target in graph.modules and layer[imp.target] > layer[imp.source]]
    assert upward == []


def test_crm_workbook_and_engine_never_import_excel_tasks_or_cli(graph):
    above = ("tierbook.excel", "tierbook.tasks", "tierbook.cli")
    below = ("tierbook.crm", "tierbook.workbook", "tierbook.engine")
    found = [str(imp) for imp in graph.imports
             if imp.source.startswith(below) and (imp.target in above or imp.target.startswith(
                 tuple(a + "." for a in above)))]
    assert found == []


def test_the_engine_imports_only_itself_errors_and_the_vocabulary(graph):
    found = [str(imp) for imp in graph.imports
             if imp.source.startswith("tierbook.engine") and imp.target in graph.modules
             and not imp.target.startswith("tierbook.engine") and imp.target not in ENGINE_MAY_IMPORT]
    assert found == []


def test_the_engine_imports_nothing_that_reads_or_writes_files(graph):
    def opens_files(target: str) -> bool:
        return any(target == m or target.startswith(m + ".") for m in FILE_MODULES)

    found = [str(imp) for imp in graph.imports if imp.source.startswith("tierbook.engine") and opens_files(imp.target)]
    found += [f"{module}: {call} (line {line})" for module, calls in graph.calls.items()
              if module.startswith("tierbook.engine") for call, line in calls]
    assert found == []


# ------------------------------------------------------- the reader itself
def test_the_reader_sees_the_imports_the_package_makes(graph):
    edges = graph.edges()
    assert "tierbook.tasks" in edges["tierbook.cli"]
    assert "tierbook.workbook.crmstore" in edges["tierbook.tasks"]  # imported inside open_book()
    assert "tierbook.workbook.text" in edges["tierbook.workbook.template.start"]  # from .. import text
    assert "tierbook" in edges["tierbook.workbook.bundle"]  # from .. import __version__
    assert "tierbook.workbook.package" not in edges["tierbook.workbook.tables"]  # under TYPE_CHECKING only
    layer = layers(graph)
    assert layer["tierbook.files"] == layer["tierbook.report"] == layer["tierbook.columns"] == 0
    assert layer["tierbook.workbook.tables"] == LAYERS["tierbook.workbook"]


def write_package(root: Path, files: dict[str, str]) -> Path:
    package = root / "tierbook"
    for name, source in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source, encoding="utf-8")
    return package


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    package = write_package(tmp_path, {
        "__init__.py": "",
        "crm/__init__.py": "",
        "crm/store.py": "def open_book():\n    from ..workbook import crmstore\n",
        "workbook/__init__.py": "",
        "workbook/crmstore.py": "from ..crm.store import open_book\n",
    })
    cycle = find_cycle(read_graph(package).edges())
    assert cycle == ["tierbook.crm.store", "tierbook.workbook.crmstore", "tierbook.crm.store"]


def test_an_upward_import_and_a_file_reading_engine_are_found(tmp_path):
    package = write_package(tmp_path, {
        "__init__.py": "",
        "files.py": "from .workbook import read\n",
        "engine/__init__.py": "",
        "engine/tiers.py": "import pathlib\n\ndef f(p):\n    return open(p).read()\n",
        "crm/__init__.py": "",
        "crm/store.py": "from .. import files\n",
        "workbook/__init__.py": "",
        "workbook/read.py": "",
    })
    fake = read_graph(package)
    layer = layers(fake)
    assert layer["tierbook.files"] == LAYERS["tierbook.workbook"]  # where its imports put it
    assert [str(i) for i in fake.imports if layer.get(i.target, 0) > layer[i.source]] == [
        "tierbook.crm.store -> tierbook.files (line 1)"]
    assert [str(i) for i in fake.imports if i.source == "tierbook.engine.tiers"] == [
        "tierbook.engine.tiers -> pathlib (line 1)"]
    assert fake.calls["tierbook.engine.tiers"] == [("open()", 4)]
