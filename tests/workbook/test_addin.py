"""The workbook's add-in part, task pane and buttons are what xlwings Lite itself writes."""

import json
import re
import uuid
import xml.etree.ElementTree as ET
import zipfile

import pytest
import xlwings.server

import tierbook.excel.scripts as scripts
from tierbook.cli import main
from tierbook.workbook import addin
from tierbook.workbook.lite_runtime import PYODIDE_VERSION, xlwings_requirement
from tierbook.workbook.layout import Buttons, Sheet
from tierbook.workbook.package import Package
from tierbook.workbook.template import build_template
from tools.template import default_path, is_stale

TEMPLATE = default_path()
PREFIXES = {
    "http://schemas.microsoft.com/office/webextensions/webextension/2010/11": "we",
    "http://schemas.microsoft.com/office/webextensions/taskpanes/2010/11": "wetp",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships": "r",
}
ANY = re.compile(r".*", re.S)
GUID = re.compile(r"\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}")
UUID = re.compile(r'"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"')
LOCALE = re.compile(r"[a-z]{2}-[A-Z]{2}")
VERSION = re.compile(r"\d+\.\d+\.\d+\.\d+")
NUMBER = re.compile(r"\d+")

# How a workbook saved by xlwings Lite carries it (Lite's documented layout; Office's schema for
# a store add-in): the store reference for a locale, the same add-in again under its store id,
# then the properties Lite keeps, each an Office-encoded JSON value.
LITE_WEBEXTENSION = [
    ("we:webextension", {"id": GUID}),
    ("we:reference", {"id": "wa200008175", "version": VERSION, "store": LOCALE, "storeType": "OMEX"}),
    ("we:alternateReferences", {}),
    ("we:reference", {"id": "wa200008175", "version": VERSION, "store": "wa200008175", "storeType": "OMEX"}),
    ("we:properties", {}),
    ("we:property", {"name": "main.py", "value": ANY}),
    ("we:property", {"name": "requirements.txt", "value": ANY}),
    ("we:property", {"name": "pyodideVersion", "value": f'"{PYODIDE_VERSION}"'}),
    ("we:property", {"name": "addinVersion", "value": ANY}),
    ("we:property", {"name": "xlwingsWorkbookId", "value": UUID}),
    ("we:property", {"name": "xlwingsSettingsWorkbook", "value": '{"startupBehavior":"taskpane"}'}),
    ("we:bindings", {}),
    ("we:snapshot", {}),
]
LITE_CONTENT_TYPES = {
    "/xl/webextensions/webextension1.xml": "application/vnd.ms-office.webextension+xml",
    "/xl/webextensions/taskpanes.xml": "application/vnd.ms-office.webextensiontaskpanes+xml",
}
TASKPANES_REL = "http://schemas.microsoft.com/office/2011/relationships/webextensiontaskpanes"
WEBEXTENSION_REL = "http://schemas.microsoft.com/office/2011/relationships/webextension"


def structure(xml: bytes) -> list[tuple[str, dict[str, str]]]:
    """Every element in document order, as (prefix:name, attributes with prefixes)."""
    def name(qualified: str) -> str:
        if qualified.startswith("{"):
            ns, local = qualified[1:].split("}")
            return f"{PREFIXES[ns]}:{local}"
        return qualified

    return [(name(e.tag), {name(k): v for k, v in e.attrib.items()}) for e in ET.fromstring(xml).iter()]


def matches(found: list[tuple[str, dict[str, str]]], expected: list[tuple[str, dict[str, object]]]) -> list[str]:
    """What differs, element by element: a tag, a missing or extra attribute, a value."""
    problems = [f"{len(found)} elements, expected {len(expected)}"] if len(found) != len(expected) else []
    for i, ((tag, attrs), (want_tag, want)) in enumerate(zip(found, expected)):
        if tag != want_tag or set(attrs) != set(want):
            problems.append(f"element {i}: {tag} {sorted(attrs)}, expected {want_tag} {sorted(want)}")
            continue
        for key, rule in want.items():
            ok = rule.fullmatch(attrs[key]) if isinstance(rule, re.Pattern) else attrs[key] == rule
            if not ok:
                problems.append(f"element {i} {tag} {key}={attrs[key][:80]!r}")
    return problems


def relationships(xml: bytes) -> list[tuple[str, str, str]]:
    return [(r.get("Id"), r.get("Type"), r.get("Target")) for r in ET.fromstring(xml)]


@pytest.fixture(scope="module")
def members():
    with zipfile.ZipFile(TEMPLATE) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_the_add_in_part_has_the_structure_lite_saves(members):
    assert matches(structure(members[addin.WEBEXTENSION_PART]), LITE_WEBEXTENSION) == []


def test_the_content_types_and_relationships_are_the_ones_lite_saves(members):
    types = {o.get("PartName"): o.get("ContentType") for o in ET.fromstring(members["[Content_Types].xml"])
             if o.tag.endswith("Override") and "webextension" in o.get("PartName")}
    assert types == LITE_CONTENT_TYPES
    root = [(t, target) for _id, t, target in relationships(members["_rels/.rels"]) if "webextension" in t]
    assert root == [(TASKPANES_REL, "xl/webextensions/taskpanes.xml")]
    [(rid, rel_type, target)] = relationships(members["xl/webextensions/_rels/taskpanes.xml.rels"])
    assert (rel_type, target) == (WEBEXTENSION_REL, "webextension1.xml")
    assert matches(structure(members[addin.TASKPANES_PART]), [
        ("wetp:taskpanes", {}),
        ("wetp:taskpane", {"dockstate": "right", "visibility": "1", "width": NUMBER, "row": NUMBER}),
        ("wetp:webextensionref", {"r:id": rid}),
    ]) == []


def test_every_setting_is_json_as_office_encodes_it(members):
    raw = dict(re.findall(r'<we:property name="([^"]+)" value="([^"]*)"/>', members[addin.WEBEXTENSION_PART].decode()))
    for name, value in raw.items():
        text = value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        assert addin.office_json(json.loads(text)) == text, name  # compact, and every "/" written as "\/"
    assert addin.office_json("xlwings>=0.37.0,<1.0 https://x/y") == '"xlwings>=0.37.0,<1.0 https:\\/\\/x\\/y"'


def test_the_template_holds_the_current_code_and_a_requirements_range(members):
    embedded = addin.read_embedded(members[addin.WEBEXTENSION_PART])
    assert embedded["main.py"] == addin.main_py(), "the template's main.py is stale: .venv/bin/python tools/template.py"
    assert embedded["requirements.txt"].splitlines()[0] == xlwings_requirement()
    assert xlwings_requirement().startswith("xlwings>=") and ",<1.0" in xlwings_requirement()
    assert embedded["xlwingsWorkbookId"] == addin.TEMPLATE_IDENTITY.workbook_id
    assert not any("vbaProject" in name for name in members)  # no macros in the shared template


def test_two_new_books_have_different_workbook_ids(tmp_path, capsys):
    ids = []
    for name in ("One.xlsx", "Two.xlsx"):
        assert main(["new", str(tmp_path / name)]) == 0
        with zipfile.ZipFile(tmp_path / name) as z:
            part = z.read(addin.WEBEXTENSION_PART)
        [(_, attrs)] = [e for e in structure(part) if e[0] == "we:webextension"]
        ids.append((attrs["id"], addin.read_embedded(part)["xlwingsWorkbookId"]))
    template = (addin.TEMPLATE_IDENTITY.extension_id, addin.TEMPLATE_IDENTITY.workbook_id)
    assert len({ids[0], ids[1], template}) == 3
    assert all(uuid.UUID(workbook_id).version == 4 and GUID.fullmatch(ext) for ext, workbook_id in ids)


def test_a_demo_book_gets_its_own_workbook_id_too(tmp_path, capsys):
    assert main(["demo", "--accounts", "50", "--workbook", str(tmp_path / "demo.xlsx")]) == 0
    with zipfile.ZipFile(tmp_path / "demo.xlsx") as z:
        assert addin.read_embedded(z.read(addin.WEBEXTENSION_PART))["xlwingsWorkbookId"] != addin.TEMPLATE_IDENTITY.workbook_id


def test_the_staleness_check_ignores_the_workbook_id_and_nothing_else(tmp_path):
    renewed = tmp_path / "Tierbook.xlsx"
    built = build_template()
    renewed.write_bytes(addin.embed_addin(built, addin.Identity.fresh()))
    assert not is_stale(renewed)
    package = Package.open(renewed)
    part = package.data[addin.WEBEXTENSION_PART]
    other_pyodide = part.replace(b'"pyodideVersion" value="&quot;', b'"pyodideVersion" value="&quot;0.')
    assert other_pyodide != part
    renewed.write_bytes(package.to_bytes({addin.WEBEXTENSION_PART: other_pyodide}))
    assert is_stale(renewed)


@pytest.mark.parametrize("places", [Buttons.ALL, Buttons.ON_SCENARIOS], ids=["Start", "Scenarios"])
def test_every_button_is_a_named_plain_shape_linked_to_the_cell_its_script_names(members, places):
    meta = {m["button"] for m in xlwings.server.custom_scripts_meta(scripts) if m.get("button")}
    first = places[0].shape.encode()
    drawing_part = next(n for n, d in members.items() if n.startswith("xl/drawings/drawing") and first in d)
    drawing = members[drawing_part].decode()
    targets = {rid: target for rid, _t, target in relationships(
        members[drawing_part.replace("drawings/", "drawings/_rels/") + ".rels"])}
    for place in places:
        anchor = next(a for a in re.findall(r"<xdr:twoCellAnchor\b.*?</xdr:twoCellAnchor>", drawing, re.S)
                      if f'name="{place.shape}"' in a)
        assert "txBox" not in anchor and "<xdr:cNvSpPr/>" in anchor, f"{place.shape} is a text box"
        assert re.search(r'<a:prstGeom prst="(rect|roundRect)">', anchor)
        assert f"<a:t>{place.label}</a:t>" in anchor
        col, row = re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", anchor).groups()
        assert f"{chr(ord('A') + int(col))}{int(row) + 1}" == place.cell  # the shape sits on its cell
        rid = re.search(r'<a:hlinkClick [^>]*r:id="(rId\d+)"', anchor).group(1)
        assert targets[rid] == f"#{place.sheet}!{place.cell}"
        assert f"[{place.shape}]{place.sheet}!{place.cell}" in meta, f"no script is bound to {place.shape}"
