"""The workbook as xlwings Lite writes it: the add-in parts that carry Tierbook's code, and the buttons.

xlwings Lite keeps a workbook's code in Office's web-extension part
(``xl/webextensions/webextension1.xml``), as add-in settings:

- ``we:reference`` names the store add-in (``wa200008175`` in the store for a
  locale), and ``we:alternateReferences`` names it again with the store id as
  store, as Office writes a store add-in;
- properties ``main.py``, ``requirements.txt``, ``pyodideVersion``,
  ``addinVersion``, ``xlwingsWorkbookId`` (one per workbook: Lite keys its
  per-workbook state, such as the user's trust, on it) and
  ``xlwingsSettingsWorkbook`` (``{"startupBehavior":"taskpane"}``: open the
  task pane with the workbook), each JSON-encoded as Office encodes settings,
  with ``/`` escaped as ``\\/``;
- a task pane part (``taskpanes.xml``) with its relationship, the content
  types and a package relationship, so that Excel offers the add-in to a
  recipient who lacks it.

Lite's sheet buttons are plain shapes (a preset geometry, not a text box)
named in ``@script(button="[name]Sheet!Cell")``, each with a hyperlink to the
cell it covers; Lite runs the script when that cell gets selected.

This is zip packaging, written next to the package writer; no xlwings code
runs here. ``python -m tierbook.workbook.addin`` prints the ``main.py`` the
part carries.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from xml.sax.saxutils import escape, unescape

from .layout import TEMPLATE_FILE, Buttons
from .bundle import main_py
from .lite_runtime import PYODIDE_VERSION, requirements_txt
from .package import Edits, Package

ADDIN_STORE_ID = "wa200008175"  # xlwings Lite in the Office add-in store
ADDIN_VERSION = "1.0.0.0"
ADDIN_STORE = "en-US"  # the store (locale) Office records for a store add-in
STARTUP = {"startupBehavior": "taskpane"}
TASKPANE_WIDTH = 438

WEBEXTENSION_PART = "xl/webextensions/webextension1.xml"
TASKPANES_PART = "xl/webextensions/taskpanes.xml"
TASKPANES_REL_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXTENSION_REL_TYPE = "http://schemas.microsoft.com/office/2011/relationships/webextension"
WEBEXTENSION_TYPE = "application/vnd.ms-office.webextension+xml"
TASKPANES_TYPE = "application/vnd.ms-office.webextensiontaskpanes+xml"
WE_NS = "http://schemas.microsoft.com/office/webextensions/webextension/2010/11"
BUTTON_GEOMETRY = "roundRect"


@dataclass(frozen=True)
class Identity:
    """Which add-in instance and which workbook Lite sees: the web extension's id and ``xlwingsWorkbookId``."""

    extension_id: str  # Office's instance id, "{GUID}"
    workbook_id: str  # Lite's per-workbook id, a UUID

    @classmethod
    def fresh(cls) -> "Identity":
        return cls("{" + str(uuid.uuid4()).upper() + "}", str(uuid.uuid4()))


TEMPLATE_IDENTITY = Identity("{6F1F6D3C-2A57-4D43-9A53-7469657262EF}", "6f1f6d3c-2a57-4d43-9a53-7469657262ef")
"""Fixed in the committed template, so that it is reproducible; every book made from it gets a fresh one."""


# ------------------------------------------------------------- web extension
def office_json(value: object) -> str:
    """A setting's value as Office stores it: compact JSON, ``/`` escaped as ``\\/``."""
    return json.dumps(value, separators=(",", ":")).replace("/", "\\/")


def _attribute(value: object) -> str:
    """A setting as an XML attribute value: Office's JSON, with ``&``, ``<``, ``>`` and ``"`` escaped."""
    return escape(office_json(value), {'"': "&quot;"})


def _property(name: str, value: object) -> str:
    return f'<we:property name="{name}" value="{_attribute(value)}"/>'


def _reference(store: str) -> str:
    return f'<we:reference id="{ADDIN_STORE_ID}" version="{ADDIN_VERSION}" store="{store}" storeType="OMEX"/>'


def webextension_xml(main: str, requirements: str, identity: Identity) -> bytes:
    """The add-in part: which add-in to offer, the code it runs, and how it starts."""
    properties = (("main.py", main), ("requirements.txt", requirements), ("pyodideVersion", PYODIDE_VERSION),
                  ("addinVersion", ADDIN_VERSION), ("xlwingsWorkbookId", identity.workbook_id),
                  ("xlwingsSettingsWorkbook", STARTUP))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<we:webextension xmlns:we="{WE_NS}" id="{identity.extension_id}">'
        + _reference(ADDIN_STORE)
        + "<we:alternateReferences>" + _reference(ADDIN_STORE_ID) + "</we:alternateReferences>"
        + "<we:properties>" + "".join(_property(n, v) for n, v in properties) + "</we:properties>"
        + "<we:bindings/>"
        '<we:snapshot xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/>'
        "</we:webextension>"
    ).encode("utf-8")


def taskpanes_xml(rid: str) -> bytes:
    """The task pane that opens the add-in beside the workbook (``rid``: its relationship to the add-in part)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<wetp:taskpanes xmlns:wetp="http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11">'
        f'<wetp:taskpane dockstate="right" visibility="1" width="{TASKPANE_WIDTH}" row="0">'
        '<wetp:webextensionref xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
        f'r:id="{rid}"/></wetp:taskpane></wetp:taskpanes>'
    ).encode("utf-8")


def add_addin(package: Package, parts: Edits, identity: Identity) -> None:
    """Record the add-in parts, their content types and relationships in ``parts``."""
    package.add_part(parts, WEBEXTENSION_PART, webextension_xml(main_py(), requirements_txt(), identity),
                     WEBEXTENSION_TYPE)
    rid = package.relate(parts, TASKPANES_PART, WEBEXTENSION_REL_TYPE, WEBEXTENSION_PART)
    package.add_part(parts, TASKPANES_PART, taskpanes_xml(rid), TASKPANES_TYPE)
    package.relate(parts, "", TASKPANES_REL_TYPE, TASKPANES_PART)


def with_identity(webextension: bytes, identity: Identity) -> bytes:
    """The add-in part with another web-extension id and workbook id; everything else as it was."""
    xml = webextension.decode("utf-8")
    xml = re.sub(r'(<we:webextension\b[^>]*\bid=")[^"]*"', lambda m: m.group(1) + identity.extension_id + '"',
                 xml, count=1)
    xml = re.sub(r'(<we:property name="xlwingsWorkbookId" value=")[^"]*"',
                 lambda m: m.group(1) + _attribute(identity.workbook_id) + '"', xml, count=1)
    return xml.encode("utf-8")


def kept_identity(old: Package, new: Package) -> dict[str, bytes]:
    """The part edit that gives ``new`` the add-in identity of ``old`` (a rebuilt book stays the book Lite trusts)."""
    if WEBEXTENSION_PART not in old.data or WEBEXTENSION_PART not in new.data:
        return {}
    xml = old.data[WEBEXTENSION_PART].decode("utf-8")
    extension = re.search(r'<we:webextension\b[^>]*\bid="([^"]*)"', xml)
    workbook = read_embedded(old.data[WEBEXTENSION_PART]).get("xlwingsWorkbookId")
    if extension is None or not isinstance(workbook, str):
        return {}
    return {WEBEXTENSION_PART: with_identity(new.data[WEBEXTENSION_PART], Identity(extension.group(1), workbook))}


def fresh_identity(package: Package) -> dict[str, bytes]:
    """The part edit that gives a book made from the template its own workbook id (none for a book without Lite)."""
    if WEBEXTENSION_PART not in package.data:
        return {}
    return {WEBEXTENSION_PART: with_identity(package.data[WEBEXTENSION_PART], Identity.fresh())}


def read_embedded(webextension: bytes) -> dict[str, object]:
    """The properties of an add-in part, decoded (for checks and tests)."""
    found = {}
    for name, value in re.findall(r'<we:property name="([^"]+)" value="([^"]*)"/>', webextension.decode("utf-8")):
        found[name] = json.loads(unescape(value, {"&quot;": '"', "&apos;": "'"}))
    return found


# ------------------------------------------------------------------ buttons
def lite_buttons(drawing_xml: str) -> str:
    """Each button as Lite's own: a plain named shape (XlsxWriter writes "TextBox N" text boxes).

    The anchor, the hyperlink to the button's cell, the fill and the label stay as they are.
    """
    def reshape(match: re.Match[str]) -> str:
        block = match.group(0)
        place = next((p for p in (*Buttons.ALL, *Buttons.ON_SCENARIOS) if f"<a:t>{p.label}</a:t>" in block), None)
        if place is None:
            return block
        block = re.sub(r'(<xdr:cNvPr id="\d+" name=")[^"]*"', rf'\g<1>{place.shape}"', block, count=1)
        block = block.replace('<xdr:cNvSpPr txBox="1"/>', "<xdr:cNvSpPr/>", 1)
        return block.replace('<a:prstGeom prst="rect">', f'<a:prstGeom prst="{BUTTON_GEOMETRY}">', 1)

    return re.sub(r"<xdr:sp\b.*?</xdr:sp>", reshape, drawing_xml, flags=re.S)


def embed_addin(content: bytes, identity: Identity = TEMPLATE_IDENTITY) -> bytes:
    """A workbook's bytes with xlwings Lite, Tierbook's code and Lite's buttons; other members as they were."""
    package = Package.open(TEMPLATE_FILE, content)
    parts: dict[str, bytes | None] = {}
    add_addin(package, parts, identity)
    for name in package.data:
        if name.startswith("xl/drawings/drawing") and name.endswith(".xml"):
            reshaped = lite_buttons(package.text(name))
            if reshaped != package.text(name):
                parts[name] = reshaped.encode("utf-8")
    return package.to_bytes(parts)


if __name__ == "__main__":
    print(main_py())
