"""Headless LibreOffice: recalculate a workbook for real, or print it to PDF.

LibreOffice 7.4 reuses the cached results of an .xlsx unless its profile says
to recalculate on load (``OOXMLRecalcMode`` = 0, "always"). Each call runs
with a private, throw-away profile that says so, which also keeps parallel
calls from handing their work to one another. Used by the tests (every
formula of a book against the engine's figure) and by :mod:`tools.render`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from tierbook.errors import WorkbookError

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def soffice() -> str | None:
    """The LibreOffice program, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert(source: str | os.PathLike[str], out_dir: str | os.PathLike[str], to: str = "xlsx",
            timeout: float = 300) -> Path:
    """Open ``source`` in headless LibreOffice with a forced hard recalculation and save it as ``to``.

    ``to`` is a LibreOffice filter spec such as ``xlsx`` or ``pdf``. Returns the file written.
    """
    program = soffice()
    if program is None:
        raise WorkbookError("LibreOffice (soffice) is not installed; on Debian: apt-get install libreoffice-calc-nogui")
    source = Path(source).resolve()
    out_dir = Path(out_dir).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}.{to.split(':', 1)[0]}"
    if target == source:
        raise WorkbookError("convert: the output folder must differ from the source's folder")
    target.unlink(missing_ok=True)
    profile = Path(tempfile.mkdtemp(prefix="tierbook-lo-"))
    try:
        (profile / "user").mkdir()
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE)
        command = [program, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                   "--nolockcheck", "--nodefault", "--nologo", "--convert-to", to, "--outdir", str(out_dir),
                   str(source)]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=dict(os.environ, SAL_USE_VCLPLUGIN="svp"), start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise WorkbookError(f"LibreOffice took more than {timeout:.0f} s on {source.name}") from None
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if proc.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
        raise WorkbookError(f"LibreOffice could not convert {source.name} (exit {proc.returncode}): "
                            f"{err.decode(errors='replace').strip() or out.decode(errors='replace').strip()}")
    return target


def recalculate(source: str | os.PathLike[str], out_dir: str | os.PathLike[str], timeout: float = 300) -> Path:
    """A copy of ``source`` with every formula recalculated by LibreOffice."""
    return convert(source, out_dir, "xlsx", timeout)
