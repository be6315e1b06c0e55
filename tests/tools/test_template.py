"""The template command of tools/: one line regenerates the template, --check says whether it is current."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tierbook.engine.settings import Settings
from tierbook.workbook.template import build_template
from tools.template import default_path

ROOT = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, str(ROOT / "tools" / "template.py")]


def test_the_check_passes_on_a_current_template_and_fails_on_a_stale_one(tmp_path):
    current = tmp_path / "current.xlsx"
    shutil.copyfile(default_path(), current)
    ok = subprocess.run([*COMMAND, str(current), "--check"], capture_output=True, text=True, cwd=tmp_path)
    assert (ok.returncode, ok.stdout.strip()) == (0, f"{current} is up to date.")
    stale = tmp_path / "stale.xlsx"
    stale.write_bytes(build_template(Settings(margin_pct=0.25)))
    failed = subprocess.run([*COMMAND, str(stale), "--check"], capture_output=True, text=True, cwd=tmp_path)
    assert failed.returncode == 1
    assert failed.stderr.strip() == f"{stale} is stale: run  .venv/bin/python tools/template.py  and commit it"


def test_the_command_writes_what_the_package_builds(tmp_path):
    target = tmp_path / "out" / "Tierbook.xlsx"
    done = subprocess.run([*COMMAND, str(target)], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert target.read_bytes() == build_template()
