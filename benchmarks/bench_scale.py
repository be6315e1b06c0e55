"""Assign Tiers up to Excel's last row, against the floors measured in the same run.

    python benchmarks/bench_scale.py [--sizes 10000,100000,1048575]

For each size, a workbook is made from the template with that many sample
accounts (CRM defects included) and tiered once. Then, each in a fresh
process, timed from the start of the process (imports included) to its end,
with its peak memory (max RSS of the process):

- ``assign``: ``tierbook assign BOOK``, the whole command (the re-run: the
  usual case, where only the run stamp moves; the Accounts sheet comes out
  as it was, and is copied);
- ``assign`` on the same book saved by another zip program (no record of
  the last patch, so the Accounts sheet is written in full, as after an
  edit): what a run costs when the sheet cannot be copied;
- patch floor: the least any patch of the book can do. Read the Accounts
  table with the fastest reader (fastexcel, to pandas), splice only the
  output cells (Segment ... CTS % ARR, the values read) into each row of the
  sheet XML, and write the package back with zlib's default deflate;
- rewrite floor: the same read, then every cell of the table written as new
  sheet XML (the second reference);
- engine: the whole engine run on the same accounts (read and type the
  columns, checks, segments, tiers, prices, and the reason text), next to
  one ``numpy.argsort`` of ARR.

Each row shows wall seconds and CPU seconds (user + system, steadier when
the machine is shared), and both ratios to its reference.

Goals: assign <= 1.25x the patch floor at 100,000 and 1,048,575 accounts;
the engine <= 40x argsort at 1,000,000 and more.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "addin"))
START = time.perf_counter()

PATCH_GOAL = 1.25
ENGINE_GOAL = 40.0
OUTPUT_HEADERS = ("Segment", "Tier", "Tier Reason", "Previous Tier", "ARR Used", "Cost to Serve", "CTS % ARR")


# ------------------------------------------------------------------ children
def _floor_read(path: str):  # type: ignore[no-untyped-def]
    import fastexcel

    return fastexcel.read_excel(path).load_sheet("Accounts").to_pandas()


def _members(path: str) -> tuple[list, dict[str, bytes]]:  # type: ignore[type-arg]
    import zipfile

    with zipfile.ZipFile(path) as z:
        infos = z.infolist()
        return infos, {i.filename: z.read(i.filename) for i in infos}


def _write_members(target: str, infos: list, data: dict[str, bytes]) -> None:  # type: ignore[type-arg]
    import zipfile

    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:  # zlib's default level
        for info in infos:
            zi = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            zi.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(zi, data[info.filename])


def _accounts_part(data: dict[str, bytes]) -> str:
    import re

    workbook = data["xl/workbook.xml"].decode()
    rels = data["xl/_rels/workbook.xml.rels"].decode()
    rid = re.search(r'<sheet\b[^>]*name="Accounts"[^>]*r:id="([^"]+)"', workbook).group(1)  # type: ignore[union-attr]
    target = re.search(rf'<Relationship\b[^>]*Id="{rid}"[^>]*Target="([^"]+)"', rels)
    if target is None:
        target = re.search(rf'<Relationship\b[^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")  # type: ignore[union-attr]


def floor_patch(path: str) -> dict[str, float]:
    """fastexcel read + splice the output cells into every row + write the package (zlib default deflate)."""
    from xml.sax.saxutils import escape

    frame = _floor_read(path)
    infos, data = _members(path)
    part = _accounts_part(data)
    xml = data[part].decode("utf-8")
    headers = list(frame.columns)
    first_col = headers.index(OUTPUT_HEADERS[0])
    letters = [chr(65 + first_col + j) for j in range(len(OUTPUT_HEADERS))]
    columns = [frame[h].to_numpy(dtype=object) for h in OUTPUT_HEADERS]

    def text(letter: str, r: int, v: object) -> str:
        if v is None or v != v:
            return f'<c r="{letter}{r}" s="6"/>'
        return f'<c r="{letter}{r}" s="6" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'

    def number(letter: str, r: int, v: object, f: str = "") -> str:
        if v is None or v != v:
            return f'<c r="{letter}{r}" s="15"/>'
        return f'<c r="{letter}{r}" s="15">{f}<v>{v!r}</v></c>'

    out: list[str] = []
    pos = xml.index("<row ")
    out.append(xml[:pos])
    r = 1
    while True:
        end = xml.find("</row>", pos)
        if end < 0:
            break
        i = r - 2
        if i >= 0 and i < len(frame):
            start = xml.find(f'<c r="{letters[0]}{r}"', pos, end)
            cut = start if start >= 0 else end
            seg, tier, why, prev, used, cts, pct = (c[i] for c in columns)
            out.append(xml[pos:cut])
            out.append(text(letters[0], r, seg) + text(letters[1], r, tier) + text(letters[2], r, why)
                       + text(letters[3], r, prev) + number(letters[4], r, used)
                       + number(letters[5], r, cts, '<f t="shared" si="0"/>')
                       + number(letters[6], r, pct, '<f t="shared" si="1"/>'))
            out.append("</row>")
        else:
            out.append(xml[pos:end + 6])
        pos = end + 6
        r += 1
    out.append(xml[pos:])
    data[part] = "".join(out).encode("utf-8")
    del out, xml
    _write_members(path + ".floor.xlsx", infos, data)
    return {"rows": len(frame)}


def floor_rewrite(path: str) -> dict[str, float]:
    """fastexcel read + every cell of the table written as new sheet XML + write the package."""
    from tierbook.workbook.cells import col_letter, value_cell

    frame = _floor_read(path)
    infos, data = _members(path)
    part = _accounts_part(data)
    xml = data[part].decode("utf-8")
    letters = [col_letter(j + 1) for j in range(frame.shape[1])]
    rows = []
    for i, values in enumerate(frame.itertuples(index=False), start=2):
        cells = "".join(value_cell(f"{letters[j]}{i}", None, v) for j, v in enumerate(values))
        rows.append(f'<row r="{i}">{cells}</row>')
    head, tail = xml[: xml.index("<sheetData")], xml[xml.index("</sheetData>") + len("</sheetData>"):]
    data[part] = (head + "<sheetData>" + "".join(rows) + "</sheetData>" + tail).encode("utf-8")
    del rows, xml
    _write_members(path + ".floor.xlsx", infos, data)
    return {"rows": len(frame)}


def assign_command(path: str) -> dict[str, float]:
    from tierbook.cli import main

    with open(os.devnull, "w") as quiet:
        stdout, stderr = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = quiet
        try:
            code = main(["assign", path])
        finally:
            sys.stdout, sys.stderr = stdout, stderr
    if code:
        raise SystemExit(f"tierbook assign exited {code}")
    return {}


def engine(n: str) -> dict[str, float]:
    """The whole engine run on ``n`` sample accounts, reasons included, next to one argsort of ARR (best of 3)."""
    import numpy as np

    from tierbook.engine import Settings, run
    from tierbook.engine.accounts import prepare_accounts
    from tierbook.columns import Col
    from tierbook.sample import sample_accounts

    raw = sample_accounts(int(n), seed=11, defects=True)
    arr = np.asarray(prepare_accounts(raw).numbers[Col.ARR].values)
    ref = min(_timed(lambda: np.argsort(arr)) for _ in range(5))
    whole = min(_timed(lambda: run(raw, Settings()).tiers.reason) for _ in range(3))
    return {"argsort": ref, "engine": whole}


def _timed(step) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


TASKS = {"assign": assign_command, "floor-patch": floor_patch, "floor-rewrite": floor_rewrite, "engine": engine}


# -------------------------------------------------------------------- parent
class Timed(NamedTuple):
    """One whole process: wall seconds, CPU seconds (user + system: steadier on a shared machine), peak MiB."""

    seconds: float
    cpu: float
    mib: float


def _wait(proc: subprocess.Popen, start: float, what: str, errors=None) -> Timed:  # type: ignore[type-arg,no-untyped-def]
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status):
        said = ""
        if errors is not None:
            errors.seek(0)
            said = ":\n" + errors.read().decode("utf-8", "replace")[-2000:]
        raise SystemExit(f"{what} failed ({os.waitstatus_to_exitcode(status)}){said}")
    return Timed(time.perf_counter() - start, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure(task: str, arg: str) -> tuple[Timed, dict[str, float]]:
    """The timing of one task, as a whole process, and what it reported."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:  # the readers' notes stay out of the table; shown if the task fails
        proc = subprocess.Popen([sys.executable, __file__, "--child", task, arg], stdout=subprocess.PIPE,
                                stderr=errors)
        out = proc.stdout.read()  # type: ignore[union-attr]
        return _wait(proc, start, f"{task} {arg}", errors), json.loads(out)


def make_book(path: Path, n: int) -> Timed:
    """A book of ``n`` sample accounts, tiered once (``tierbook new --sample``)."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tierbook.cli", "new", str(path), "--sample", str(n)],
                            stdout=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT / "addin")})
    return _wait(proc, start, f"tierbook new --sample {n}")


def resaved(book: Path) -> Path:
    """The book as another program saves it: the same parts, re-zipped, without the zip's comments."""
    import zipfile

    target = book.with_name(book.stem + "-resaved.xlsx")
    with zipfile.ZipFile(book) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(zipfile.ZipInfo(info.filename, date_time=info.date_time), old.read(info.filename),
                         zipfile.ZIP_DEFLATED)
    return target


def row(n: int, what: str, t: Timed, reference: str = "", ref: Timed | None = None, goal: str = "") -> None:
    ratio = "" if ref is None else f"{t.seconds / ref.seconds:.2f}x"
    cpu = "" if ref is None else f"{t.cpu / ref.cpu:.2f}x"
    print(f"{n:>10,}  {what:<38} {t.seconds:>8.2f} {t.cpu:>8.2f} {t.mib:>8,.0f}  {reference:<20} {ratio:>7} "
          f"{cpu:>7}  {goal}", flush=True)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(TASKS[argv[1]](argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1048575")
    args = parser.parse_args(argv)
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    print(f"{'accounts':>10}  {'run (a whole process)':<38} {'seconds':>8} {'cpu s':>8} {'peak MiB':>8}  "
          f"{'reference':<20} {'ratio':>7} {'cpu':>7}  goal")
    with tempfile.TemporaryDirectory(prefix="tierbook-scale-") as tmp:
        for n in sizes:
            book = Path(tmp) / f"book-{n}.xlsx"
            row(n, "tierbook new --sample N", make_book(book, n))
            patch, _ = measure("floor-patch", str(book))
            rewrite, _ = measure("floor-rewrite", str(book))
            assign, _ = measure("assign", str(book))
            full, _ = measure("assign", str(resaved(book)))
            row(n, "patch floor (fastexcel + splice)", patch)
            row(n, "rewrite floor (whole sheet)", rewrite)
            goal = f"<= {PATCH_GOAL:g}x" if n >= 100_000 else ""
            row(n, "tierbook assign (re-run)", assign, "patch floor", patch, goal)
            row(n, "tierbook assign (re-run)", assign, "rewrite floor", rewrite)
            row(n, "assign, saved elsewhere (full write)", full, "patch floor", patch)
            engine, times = measure("engine", str(n))
            argsort = Timed(times["argsort"], times["argsort"], 0.0)
            whole = Timed(times["engine"], times["engine"], engine.mib)
            row(n, "numpy.argsort(ARR) (best of 5)", argsort)
            goal = f"<= {ENGINE_GOAL:g}x" if n >= 1_000_000 else ""
            row(n, "engine: read ... reasons (best of 3)", whole, "numpy.argsort(ARR)", argsort, goal)
            for leftover in Path(tmp).iterdir():
                leftover.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
