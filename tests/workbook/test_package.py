"""New and removed parts: the zip, its content types and its relationships change together."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from tierbook.workbook.package import Package

REL = "http://example.com/relationships/extra"


def test_an_added_part_gets_its_content_type_and_a_relationship_with_a_fresh_id(book: Path) -> None:
    package = Package.open(book)
    parts: dict[str, bytes | None] = {}
    package.add_part(parts, "xl/extra/one.xml", b"<one/>", "application/x-one+xml")
    rid = package.relate(parts, "xl/workbook.xml", REL, "xl/extra/one.xml")
    assert package.relate(parts, "xl/workbook.xml", REL, "xl/extra/one.xml") == rid  # asked twice, related once
    reopened = Package.open(book.name, package.to_bytes(parts))
    assert reopened.data["xl/extra/one.xml"] == b"<one/>"
    assert reopened.text("[Content_Types].xml").count('PartName="/xl/extra/one.xml"') == 1
    related = package.relationships("xl/workbook.xml")
    assert rid not in related and reopened.relationships("xl/workbook.xml")[rid] == (REL, "xl/extra/one.xml")
    assert 'Target="extra/one.xml"' in reopened.text("xl/_rels/workbook.xml.rels")  # relative to its owner
    with zipfile.ZipFile(io.BytesIO(package.to_bytes(parts))) as z:
        names = z.namelist()
    assert names[-1] == "xl/extra/one.xml" and names[:-1] == [i.filename for i in package.infos]


def test_a_relationship_of_a_new_part_creates_its_relationships_part(book: Path) -> None:
    package = Package.open(book)
    parts: dict[str, bytes | None] = {}
    package.add_part(parts, "xl/extra/one.xml", b"<one/>")
    package.add_part(parts, "xl/extra/two.xml", b"<two/>")
    rid = package.relate(parts, "xl/extra/one.xml", REL, "xl/extra/two.xml")
    assert Package.open(book.name, package.to_bytes(parts)).relationships("xl/extra/one.xml") == {
        rid: (REL, "xl/extra/two.xml")}


def test_a_removed_part_takes_its_content_type_and_every_relationship_to_it(book: Path) -> None:
    package = Package.open(book)
    parts: dict[str, bytes | None] = {}
    package.add_part(parts, "xl/extra/one.xml", b"<one/>", "application/x-one+xml")
    package.relate(parts, "", REL, "xl/extra/one.xml")
    package.relate(parts, "xl/workbook.xml", REL, "xl/extra/one.xml")
    first = Package.open(book.name, package.to_bytes(parts))
    edits: dict[str, bytes | None] = {}
    first.remove_part(edits, "xl/extra/one.xml")
    after = Package.open(book.name, first.to_bytes(edits))
    assert "xl/extra/one.xml" not in after.data
    assert "one.xml" not in after.text("[Content_Types].xml")
    assert "one.xml" not in after.text("_rels/.rels") and "one.xml" not in after.text("xl/_rels/workbook.xml.rels")
    assert after.relationships("xl/workbook.xml") == package.relationships("xl/workbook.xml")
