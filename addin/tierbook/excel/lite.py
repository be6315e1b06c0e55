"""Package Tierbook for xlwings Lite: the workbook's ``main.py`` and add-in parts.

xlwings Lite runs the Python code stored in the workbook itself (Office
web-extension part ``xl/webextensions/webextension1.xml``, properties
``main.py`` and ``requirements.txt``). Tierbook is not on PyPI, and a wheel
named in ``requirements.txt`` would need a web server that allows CORS. So
``main.py`` carries the package's own source files, compressed. On start it
unpacks them into Pyodide's in-memory file system and imports the Excel
front end from there. The workbook stays self-contained and works offline.

``main.py`` is generated from the package (``python -m tierbook.excel.lite``
prints it) and never edited by hand; a test checks that the copy inside the
template equals a fresh build.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import re
import zipfile
import zlib
from pathlib import Path

from .. import __version__
from ..layout import Buttons

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# Modules Lite never needs: file adapters that depend on desktop-only libraries.
LEFT_OUT = ("cli.py", "tasks.py", "files.py", "report.py", "workbook/template.py", "workbook/render.py",
            "workbook/libreoffice.py", "workbook/create.py", "workbook/edit.py", "workbook/crmstore.py",
            "workbook/accountsmerge.py", "workbook/structure.py", "workbook/rowmove.py", "workbook/refs.py",
            "crm/store.py")
ADDIN_STORE_ID = "wa200008175"  # xlwings Lite in the Office add-in store
PYODIDE_VERSION = "0.27.5"
ADDIN_VERSION = "1.0.0.0"
XLWINGS_VERSION = "0.37.8"
SQLGLOT_VERSION = "30.30.0"  # the version the rule compiler is tested with  # the version the test suite runs the scripts and functions with

WEBEXTENSION_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
TASKPANES_RELS_PART = "xl/webextensions/_rels/taskpanes.xml.rels"
TASKPANES_REL_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXTENSION_REL_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextension"
CONTENT_TYPES = {
    "/" + WEBEXTENSION_PART: "application/vnd.ms-office.webextension+xml",
    "/" + TASKPANES_PART: "application/vnd.ms-office.webextensiontaskpanes+xml",
}
WORKBOOK_ID = "6f1f6d3c-2a57-4d43-9a53-7469657262ef"  # fixed: the template is reproducible


def package_sources() -> dict[str, str]:
    """Every module of the package Lite may import, as relative path -> source."""
    sources = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        relative = path.relative_to(PACKAGE_DIR.parent).as_posix()
        inner = path.relative_to(PACKAGE_DIR).as_posix()
        if "__pycache__" in relative or any(inner == skip or inner.startswith(skip) for skip in LEFT_OUT):
            continue
        sources[relative] = path.read_text(encoding="utf-8")
    return sources


def main_py() -> str:
    """The ``main.py`` xlwings Lite runs: the bundled package, then the front end."""
    blob = json.dumps(package_sources(), sort_keys=True).encode("utf-8")
    packed = base64.b64encode(zlib.compress(blob, 9)).decode("ascii")
    lines = [packed[i : i + 100] for i in range(0, len(packed), 100)]
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

_PACKAGE = (
{chr(10).join(f'    "{line}"' for line in lines)}
)


def _unpack() -> None:
    """Write the bundled package into Pyodide's in-memory file system, once."""
    if "tierbook" in sys.modules:
        return
    root = Path(tempfile.mkdtemp(prefix="tierbook-"))
    files = json.loads(zlib.decompress(base64.b64decode("".join(_PACKAGE))))
    for name, source in files.items():
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    sys.path.insert(0, str(root))


_unpack()

from tierbook.excel.functions import *  # noqa: E402,F401,F403
from tierbook.excel.scripts import *  # noqa: E402,F401,F403
'''


def requirements_txt() -> str:
    """Packages Lite installs: xlwings and sqlglot (pure Python); numpy and pandas come with Pyodide."""
    return f"xlwings=={XLWINGS_VERSION}\nsqlglot=={SQLGLOT_VERSION}\npandas\nnumpy\n"


def _property(name: str, value: str) -> str:
    return f'<we:property name="{name}" value="{html.escape(json.dumps(value), quote=True)}"/>'


def webextension_xml(main: str, requirements: str) -> bytes:
    """The add-in part: which add-in to offer, and the code it runs."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<we:webextension xmlns:we="http://schemas.microsoft.com/office/webextensions/webextension/2010/11" '
        f'id="{{{WORKBOOK_ID.upper()}}}">'
        f'<we:reference id="{ADDIN_STORE_ID}" version="{ADDIN_VERSION}" store="en-US" storeType="OMEX"/>'
        "<we:alternateReferences/>"
        "<we:properties>"
        + _property("main.py", main)
        + _property("requirements.txt", requirements)
        + _property("pyodideVersion", PYODIDE_VERSION)
        + _property("addinVersion", ADDIN_VERSION)
        + _property("xlwingsWorkbookId", WORKBOOK_ID)
        + "</we:properties><we:bindings/>"
        '<we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
        "</we:webextension>"
    ).encode("utf-8")


def taskpanes_xml() -> bytes:
    """The task pane that opens the add-in beside the workbook."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
        '<wetp:taskpane dockstate="right" visibility="1" width="438" row="0">'
        '<wetp:webextensionref xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:id="rId1"/>'
        "</wetp:taskpane></wetp:taskpanes>"
    ).encode("utf-8")


def taskpanes_rels_xml() -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{WEBEXTENSION_REL_TYPE}" Target="webextension1.xml"/>'
        "</Relationships>"
    ).encode("utf-8")


def addin_parts() -> dict[str, bytes]:
    """The three new zip members that carry xlwings Lite and Tierbook's code."""
    return {
        WEBEXTENSION_PART: webextension_xml(main_py(), requirements_txt()),
        TASKPANES_PART: taskpanes_xml(),
        TASKPANES_RELS_PART: taskpanes_rels_xml(),
    }


def _with_override(types_xml: str) -> str:
    for part, content_type in CONTENT_TYPES.items():
        if f'PartName="{part}"' not in types_xml:
            types_xml = types_xml.replace(
                "</Types>", f'<Override PartName="{part}" ContentType="{content_type}"/></Types>', 1)
    return types_xml


def _with_taskpanes(rels_xml: str) -> str:
    if TASKPANES_REL_TYPE in rels_xml:
        return rels_xml
    rel = f'<Relationship Id="rIdTierbookLite" Type="{TASKPANES_REL_TYPE}" Target="{TASKPANES_PART}"/>'
    return rels_xml.replace("</Relationships>", rel + "</Relationships>", 1)


def _named_buttons(drawing_xml: str) -> str:
    """Give each button shape its stable name (XlsxWriter calls them "TextBox N")."""
    def rename(match: re.Match[str]) -> str:
        block = match.group(0)
        for place in Buttons.ALL:
            if f"<a:t>{place.label}</a:t>" in block:
                return re.sub(r'(<xdr:cNvPr id="\d+" name=")[^"]*"', rf'\g<1>{place.shape}"', block, count=1)
        return block

    return re.sub(r"<xdr:sp\b.*?</xdr:sp>", rename, drawing_xml, flags=re.S)


def embed_addin(content: bytes) -> bytes:
    """A workbook's bytes with xlwings Lite and Tierbook's code added, and its buttons named.

    Every other member is copied as it was, in its place; the new members
    carry the same timestamp, so a rebuild from the same source gives the
    same bytes.
    """
    source = zipfile.ZipFile(io.BytesIO(content))
    infos = source.infolist()
    new_parts = addin_parts()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in infos:
            if info.filename in new_parts:
                continue
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = _with_override(data.decode("utf-8")).encode("utf-8")
            elif info.filename == "_rels/.rels":
                data = _with_taskpanes(data.decode("utf-8")).encode("utf-8")
            elif info.filename.startswith("xl/drawings/drawing") and info.filename.endswith(".xml"):
                data = _named_buttons(data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data, compress_type=info.compress_type)
        for name, data in new_parts.items():
            member = zipfile.ZipInfo(name, date_time=infos[0].date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(member, data)
    return buffer.getvalue()


def read_embedded(webextension: bytes) -> dict[str, str]:
    """The properties of a web-extension part, decoded (for checks and tests)."""
    found = {}
    for name, value in re.findall(r'<we:property name="([^"]+)" value="([^"]*)"/>', webextension.decode("utf-8")):
        found[name] = json.loads(html.unescape(value))
    return found


if __name__ == "__main__":
    print(main_py())
