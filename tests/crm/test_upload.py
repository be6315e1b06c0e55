"""The upload file: columns per CRM, changed-only with its dry-run summary, and no formula injection."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from tierbook.cli import main
from tierbook.crm.mapping import HUBSPOT, SALESFORCE, TIERBOOK
from tierbook.crm.upload import STATE_COLUMNS, Change, plan_upload, read_state
from tierbook.files import csv_unsafe
from tierbook.columns import NEEDS_DATA, Col

TIERS = ("High-touch", "Mid-touch", "Tech-touch")


def current(rows):
    return pd.DataFrame(rows, columns=[Col.ACCOUNT_ID, Col.TIER, Col.SEGMENT])


LAST = pd.DataFrame({
    Col.ACCOUNT_ID: ["A", "B", "C", "D", "E", "F", "G"],
    Col.TIER: ["Mid-touch", "Mid-touch", "Tech-touch", "High-touch", NEEDS_DATA, "Mid-touch", "Gold"],
    Col.SEGMENT: ["SMB", "SMB", "SMB", "Enterprise", "Unknown", "Major", "SMB"],
    "Exported At": "2026-01-31 09:00:00",
    "CRM Format": "salesforce",
})
NOW = current([
    ("A", "High-touch", "SMB"),      # up
    ("B", "Tech-touch", "SMB"),      # down
    ("C", "Tech-touch", "SMB"),      # unchanged
    ("E", "Mid-touch", "Major"),     # from Needs data
    ("F", "Mid-touch", "Enterprise"),  # segment only
    ("G", "Tech-touch", "SMB"),      # the old tier name is gone
    ("H", "Mid-touch", "SMB"),       # in
    ("I", NEEDS_DATA, "Unknown"),    # in (new, not tierable yet)
])                                    # D: out


def test_changed_only_counts_moves_and_writes_just_those():
    plan = plan_upload(NOW, TIERS, SALESFORCE, read_state(LAST), changed_only=True, exported_at="2026-02-28 10:00:00")
    c = plan.counts
    assert (c[Change.UP], c[Change.DOWN], c[Change.IN], c[Change.OUT]) == (1, 1, 2, 1)
    assert (c[Change.FROM_NEEDS_DATA], c[Change.SEGMENT_ONLY], c[Change.RENAMED], c[Change.UNCHANGED]) == (1, 1, 1, 1)
    assert plan.table.columns.tolist() == ["Id", "Tier__c", "Segment__c"]
    assert sorted(plan.table["Id"]) == ["A", "B", "E", "F", "G", "H", "I"]  # not C (same), not D (gone)
    summary = plan.summary()
    assert summary.startswith("Since the last export (2026-01-31 09:00:00): 1 up, 1 down, 2 in, 1 out")
    assert "no longer in the book" in summary and "7 changed accounts" in summary
    assert plan.state[Col.ACCOUNT_ID].tolist() == ["A", "B", "C", "E", "F", "G", "H", "I"]
    assert set(plan.state["Exported At"]) == {"2026-02-28 10:00:00"}


def test_to_needs_data_is_its_own_move():
    plan = plan_upload(current([("A", NEEDS_DATA, "Unknown")]), TIERS, SALESFORCE, read_state(LAST))
    assert plan.counts[Change.TO_NEEDS_DATA] == 1


def test_first_export_counts_everything_as_in():
    plan = plan_upload(NOW, TIERS, HUBSPOT, None, changed_only=True)
    assert plan.counts[Change.IN] == len(NOW) and len(plan.table) == len(NOW)
    assert plan.summary().startswith("No earlier export is recorded")


@pytest.mark.parametrize(("crm", "columns"), [
    (SALESFORCE, ["Id", "Tier__c", "Segment__c"]),
    (HUBSPOT, ["Record ID", "Tier", "Segment"]),
    (TIERBOOK, [Col.ACCOUNT_ID, Col.TIER, Col.SEGMENT]),
])
def test_upload_columns_per_crm(crm, columns):
    assert plan_upload(NOW, TIERS, crm).table.columns.tolist() == columns


def test_duplicate_ids_that_disagree_are_left_out_and_said_so():
    rows = current([("A", "High-touch", "SMB"), ("A", "Tech-touch", "SMB"), ("B", "Mid-touch", "SMB"),
                    ("B", "Mid-touch", "SMB"), (None, "Mid-touch", "SMB")])
    plan = plan_upload(rows, TIERS, SALESFORCE)
    assert plan.table["Id"].tolist() == ["B"]
    assert "disagree" in plan.summary() and "no Account ID" in plan.summary()


def test_needs_data_and_unknown_are_left_blank_not_uploaded_as_values():
    plan = plan_upload(NOW, TIERS, SALESFORCE, read_state(LAST), changed_only=True)
    row = plan.table.set_index("Id").loc["I"]
    assert pd.isna(row["Tier__c"]) and pd.isna(row["Segment__c"])
    assert plan.table.set_index("Id").loc["H", "Tier__c"] == "Mid-touch"
    assert (plan.blank_tier, plan.blank_segment) == (1, 1)
    assert ("1 account is Needs data: Tier__c left blank; 1 account has segment Unknown: Segment__c left blank"
            in plan.summary())
    # The record of the export keeps what the account really had, so the next export sees it move.
    assert plan.state.set_index(Col.ACCOUNT_ID).loc["I", Col.TIER] == NEEDS_DATA


# ------------------------------------------------------------- end to end
def write_book(path, arr, ids=None, overrides=None):
    n = len(arr)
    ids = ids or [f"ACC-{i:03d}" for i in range(n)]
    pd.DataFrame({
        Col.ACCOUNT_ID: ids,
        Col.ACCOUNT_NAME: [f"Company {i}" for i in range(n)],
        Col.ARR: arr,
        Col.EMPLOYEES: [5000 if i % 2 else 50 for i in range(n)],
        Col.TIER_OVERRIDE: overrides or [None] * n,
        Col.OVERRIDE_REASON: ["Strategic" if o else None for o in (overrides or [None] * n)],
    }).to_csv(path, index=False)


def test_cli_export_then_changed_only(tmp_path, capsys):
    book, out = tmp_path / "book.csv", tmp_path / "upload.csv"
    arr = [str(v) for v in range(10_000, 210_000, 10_000)]  # 20 accounts: 3 / 8 / 9 with bands 0.15, 0.40
    write_book(book, arr)
    assert main(["export", str(book), "--crm", str(out), "--format", "hubspot"]) == 0
    first = pd.read_csv(out, dtype=str)
    assert first.columns.tolist() == ["Record ID", "Tier", "Segment"] and len(first) == 20
    assert (tmp_path / "book.last-crm-export.csv").exists()
    capsys.readouterr()

    arr[0] = "900000"          # the smallest becomes the largest: up two tiers; others shift down
    arr[5] = "TBD"             # to Needs data
    write_book(book, arr[:-1] + ["250000"], ids=[f"ACC-{i:03d}" for i in range(19)] + ["NEW-1"])
    assert main(["export", str(book), "--crm", str(out), "--changed-only", "--dry-run", "--format", "hubspot"]) == 0
    dry = capsys.readouterr().out
    assert "1 in, 1 out" in dry and "1 to Needs data" in dry and "Dry run: nothing written." in dry
    assert len(pd.read_csv(out)) == 20  # the dry run left the last file alone

    assert main(["export", str(book), "--crm", str(out), "--changed-only", "--format", "hubspot"]) == 0
    text = capsys.readouterr().out
    changed = pd.read_csv(out, dtype=str)
    assert text.index("Since the last export") < text.index("Wrote")  # summary before writing
    assert "ACC-000" in set(changed["Record ID"]) and "NEW-1" in set(changed["Record ID"])
    # Needs data is not a tier to store in the CRM: the cell is left blank, and the summary says so.
    assert pd.isna(changed.set_index("Record ID").loc["ACC-005", "Tier"])
    assert f"1 account is {NEEDS_DATA}: Tier left blank" in text
    assert 2 < len(changed) < 20
    assert main(["export", str(book), "--crm", str(out), "--changed-only"]) == 0
    assert "0 up, 0 down, 0 in, 0 out" in capsys.readouterr().out
    assert len(pd.read_csv(out)) == 0


def test_upload_file_cannot_inject_formulas(tmp_path):
    book, out = tmp_path / "book.csv", tmp_path / "upload.csv"
    ids = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2-2", "@SUM(1)", "\tTAB", "\rCR", "-1200"]
    write_book(book, ["1000"] * len(ids), ids=ids)
    assert main(["export", str(book), "--crm", str(out), "--tiers", "=Top,@Mid,+Low", "--format", "tierbook"]) == 0
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    for cell in written.to_numpy().ravel():
        if cell != "-1200":
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    # IDs are read as Tierbook reads them (surrounding white space stripped); nothing else changes.
    assert sorted(written[Col.ACCOUNT_ID].map(csv_unsafe)) == sorted(i.strip() for i in ids)
    assert set(written[Col.TIER].map(csv_unsafe)) <= {"=Top", "@Mid", "+Low"}


def test_state_record_is_checked(tmp_path):
    with pytest.raises(Exception, match="lacks the column"):
        read_state(pd.DataFrame({"Something": [1]}))
    assert list(read_state(LAST).columns) == list(STATE_COLUMNS)


BLOCK_PYARROW = """
import sys

class _NoParquet:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("pyarrow", "fastparquet"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, _NoParquet())
"""


def test_rule_input_parquet_without_pyarrow_is_one_clear_line(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(BLOCK_PYARROW, encoding="utf-8")
    book = tmp_path / "book.csv"
    write_book(book, ["50000", "20000", "9000"])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH")) if p))
    probe = subprocess.run([sys.executable, "-c", "import pyarrow"], env=env, capture_output=True, text=True)
    assert probe.returncode != 0  # pyarrow really is out of reach in the child
    target = tmp_path / "accounts.parquet"
    proc = subprocess.run([sys.executable, "-m", "tierbook.cli", "export", str(book), "--rule-input", str(target)],
                          env=env, capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == ("tierbook: error: accounts.parquet: writing Parquet needs pyarrow, which is not "
                           "installed: pip install pyarrow (or write accounts.csv instead)\n")
    assert not target.exists()

