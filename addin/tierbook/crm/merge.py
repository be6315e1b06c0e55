"""Merge a CRM export into the book's accounts, by Account ID.

The rules a CS-ops lead relies on:

* an account in the export and the book is updated from the export, column by
  column, in place (row order kept);
* an account only in the export is added at the end;
* an account only in the book is reported, and kept unless ``replace``;
* columns the user owns are never overwritten: Tier Override and Override
  Reason keep the book's values (the export's are used for new accounts only),
  and every book column the export does not carry is left as it is;
* columns Tierbook writes (Segment, Tier, Tier Reason, ...) are not taken
  from an export, which may carry the CRM's copy of a previous upload.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine.accounts import match_columns
from ..errors import InputError
from ..columns import CANONICAL_KEYS, OUTPUT_COLUMNS, USER_OWNED_COLUMNS, Col, header_key
from .mapping import TIERBOOK, CrmFormat, id_keys
from ..engine.accounts import clean_text


@dataclass(frozen=True)
class MergeResult:
    """The merged accounts and what the merge did.

    Attributes:
        table: the book's accounts after the merge (book columns first, in
            their order, then columns new from the export).
        added / updated / unchanged: accounts new, changed, or identical.
        vanished: IDs of book accounts the export no longer has.
        removed: how many of them were removed (``replace``).
        kept_user_values: export values of user-owned columns that differ
            from the book's and were not applied.
        skipped_rows: file rows of export lines without an Account ID.
        new_columns: export columns the book did not have.
        ignored_columns: export columns Tierbook owns (not imported).
        duplicate_book_rows: book rows that share an Account ID (all updated).
        origin: per row of ``table``, the book row it was (-1: new from the
            export). Rows keep their order; removed ones leave a gap.
        written: per column of ``table``, the rows whose cell takes a value
            from the export; every other cell is the book's, untouched.
    """

    table: pd.DataFrame
    added: int
    updated: int
    unchanged: int
    vanished: list[str]
    removed: int
    kept_user_values: int
    skipped_rows: list[int] = field(default_factory=list)
    new_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    duplicate_book_rows: int = 0
    origin: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    written: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self, columns_note: str | None = None) -> str:
        """A few lines a user reads after an import (``columns_note``: where the new columns went)."""
        lines = [
            f"{_n(self.updated, 'account')} updated, {self.unchanged:,} unchanged, {self.added:,} added; "
            f"the book now holds {_n(len(self.table), 'row')}."
        ]
        if self.vanished:
            shown = ", ".join(self.vanished[:5]) + (" ..." if len(self.vanished) > 5 else "")
            if self.removed:
                lines.append(f"{_n(self.removed, 'account')} no longer in the export removed (--replace): {shown}")
            else:
                lines.append(f"{_n(len(self.vanished), 'account')} in the book not in the export; kept "
                             f"(pass --replace to remove them): {shown}")
        if self.kept_user_values:
            lines.append(f"{self.kept_user_values:,} {' / '.join(USER_OWNED_COLUMNS)} values in the "
                         "export differ from the book; the book's were kept (those columns are yours).")
        if self.skipped_rows:
            rows = ", ".join(map(str, self.skipped_rows[:5])) + (" ..." if len(self.skipped_rows) > 5 else "")
            lines.append(f"{len(self.skipped_rows):,} export rows without an Account ID were skipped (rows {rows}).")
        if self.new_columns:
            lines.append(columns_note or "New columns from the export: " + ", ".join(self.new_columns))
        if self.ignored_columns:
            lines.append("Not imported (Tierbook computes them): " + ", ".join(self.ignored_columns))
        if self.duplicate_book_rows:
            lines.append(f"{self.duplicate_book_rows:,} book rows share an Account ID with another row; "
                         "each was updated from the export.")
        return "\n".join(lines)


def _n(count: int, noun: str) -> str:
    """ "1 account", "2,000 accounts"."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _text(values: np.ndarray) -> np.ndarray:
    """Cells as comparable text: 125000.0 and "125000" are the same value."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v):
            out[i] = None
        elif isinstance(v, str):
            out[i] = v
        elif isinstance(v, float) and v.is_integer():
            out[i] = str(int(v))
        elif isinstance(v, pd.Timestamp):
            out[i] = v.date().isoformat() if v == v.normalize() else v.isoformat()
        else:
            out[i] = str(v)
    return out


def _same(old: np.ndarray, new: np.ndarray) -> np.ndarray:
    """Element-wise equality of two cell arrays, missing equal to missing."""
    if pd.api.types.infer_dtype(old, skipna=True) not in ("string", "empty"):
        old = _text(old)
    if pd.api.types.infer_dtype(new, skipna=True) not in ("string", "empty"):
        new = _text(new)
    old_missing, new_missing = _missing(old), _missing(new)
    # Missing cells compare as None: pd.NA == x is NA, which no comparison may turn into a bool.
    old = np.where(old_missing, None, np.asarray(old, dtype=object))
    new = np.where(new_missing, None, np.asarray(new, dtype=object))
    with np.errstate(invalid="ignore"):
        equal = (old == new)
    return np.asarray(equal, dtype=bool) | (old_missing & new_missing)


def _missing(values: np.ndarray) -> np.ndarray:
    """Blank cells: missing values and empty text (a spreadsheet's empty cell reads as "")."""
    missing = np.asarray(pd.isna(values), dtype=bool)
    return missing | pd.Series(values, dtype=object).eq("").to_numpy(dtype=bool)


def export_ids(incoming: pd.DataFrame, crm: CrmFormat, first_row: int = 2) -> tuple[pd.Series, list[int]]:
    """Match keys of an export's Account IDs, and the file rows that have none.

    Raises:
        InputError: two export rows carry the same Account ID.
    """
    ids = clean_text(incoming[Col.ACCOUNT_ID])
    keys = id_keys(ids, crm)
    missing = np.flatnonzero(keys.isna().to_numpy())
    dup = keys.duplicated(keep=False) & keys.notna()
    if dup.any():
        rows = np.flatnonzero(dup.to_numpy())
        first = keys.iloc[rows[0]]
        same = rows[(keys.iloc[rows] == first).to_numpy()] + first_row
        raise InputError(
            f"the export has {int(dup.sum()):,} rows sharing an Account ID, e.g. {ids.iloc[rows[0]]!r} in rows "
            + ", ".join(map(str, same[:5]))
            + "; a CRM export has one row per record, so remove the duplicates (or re-export) and import again"
        )
    return keys, [int(r) + first_row for r in missing]


def merge_accounts(book: pd.DataFrame | None, incoming: pd.DataFrame, *, replace: bool = False,
                   crm: CrmFormat = TIERBOOK, first_row: int = 2) -> MergeResult:
    """Merge an export (already mapped to canonical columns) into the book's accounts.

    Args:
        book: the accounts the book holds (``None`` or empty for a new book).
        incoming: the export, canonical headers for mapped columns.
        replace: remove book accounts the export no longer has.
        crm: the export's CRM (Salesforce 15- and 18-character IDs match).
        first_row: file row of the export's first data row (for messages).

    Raises:
        InputError: the export has no Account ID column or repeats an ID, or
            the book has accounts but no Account ID column.
    """
    if Col.ACCOUNT_ID not in incoming.columns:
        raise InputError(f"the export has no {Col.ACCOUNT_ID!r} column after mapping")
    keys, skipped = export_ids(incoming, crm, first_row)
    has_key = keys.notna().to_numpy()
    ignored = [c for c in incoming.columns if _canonical(c) in OUTPUT_COLUMNS]
    columns = [c for c in incoming.columns if c not in ignored]

    if book is None or (len(book) == 0 and len(book.columns) == 0):
        table = incoming.loc[has_key, columns].reset_index(drop=True).astype(object)
        return MergeResult(table=table, added=len(table), updated=0, unchanged=0, vanished=[], removed=0,
                           kept_user_values=0, skipped_rows=skipped, ignored_columns=ignored,
                           origin=np.full(len(table), -1, dtype=np.int64),
                           written={c: table[c].notna().to_numpy() for c in table.columns})

    book_cols = match_columns(list(book.columns))
    if Col.ACCOUNT_ID not in book_cols:
        if len(book):
            raise InputError(f"the book has accounts but no {Col.ACCOUNT_ID!r} column to match the export by; "
                             "its columns are " + ", ".join(map(str, book.columns)))
        book_cols[Col.ACCOUNT_ID] = Col.ACCOUNT_ID
    table = book.reset_index(drop=True).copy()
    n_book = len(table)
    book_keys = id_keys(clean_text(table[book_cols[Col.ACCOUNT_ID]]), crm) if book_cols[Col.ACCOUNT_ID] in table \
        else pd.Series(pd.NA, index=table.index, dtype=object)
    export_index = pd.Index(keys[has_key].to_numpy(dtype=object))
    export_rows = np.flatnonzero(has_key)
    position = export_index.get_indexer(book_keys.to_numpy(dtype=object))
    matched = (position >= 0) & book_keys.notna().to_numpy()
    source_rows = export_rows[position[matched]]

    by_key = {header_key(h): h for h in table.columns}
    targets = {c: by_key.get(header_key(c), c) for c in columns}
    new_columns = [c for c in columns if targets[c] not in table.columns]
    user_owned = {c for c in columns if _canonical(c) in USER_OWNED_COLUMNS}

    changed = np.zeros(matched.sum(), dtype=bool)
    written: dict[str, np.ndarray] = {}
    kept_user = 0
    for column in columns:
        target = targets[column]
        new_values = incoming[column].to_numpy(dtype=object)[source_rows]
        existing = target in table.columns
        if existing:
            current = table[target].to_numpy(dtype=object, copy=True)
        else:
            current = np.full(n_book, None, dtype=object)
        same = _same(current[matched], new_values)
        mask = np.zeros(n_book, dtype=bool)
        if column in user_owned:
            kept_user += int((~same & ~pd.isna(new_values)).sum())
            if not existing:
                table[target] = current
            written[target] = mask
            continue
        if existing:  # a column new to the book is reported as such, not as a change
            changed |= ~same
        mask[matched] = ~same
        current[matched] = new_values
        table[target] = pd.Series(current, index=table.index, dtype=object)
        written[target] = mask

    is_new = ~keys.isin(book_keys.dropna()).to_numpy() & has_key
    added = incoming.loc[is_new, columns].rename(columns=targets).reset_index(drop=True)
    vanished_mask = ~matched & book_keys.notna().to_numpy()
    ids_text = clean_text(table[book_cols[Col.ACCOUNT_ID]]) if book_cols[Col.ACCOUNT_ID] in table \
        else pd.Series(pd.NA, index=table.index, dtype=object)
    vanished = ids_text[vanished_mask].astype(str).tolist()
    keep = ~vanished_mask if replace else np.ones(n_book, dtype=bool)
    removed = int((~keep).sum())
    origin = np.flatnonzero(keep)
    table = table.loc[keep]
    written = {c: m[keep] for c, m in written.items()}
    if len(added):
        table = pd.concat([table.astype(object), added.astype(object)], ignore_index=True)
        origin = np.concatenate([origin, np.full(len(added), -1, dtype=np.int64)])
        fresh = {c: added[c].notna().to_numpy() if c in added.columns else np.zeros(len(added), dtype=bool)
                 for c in table.columns}
        written = {c: np.concatenate([written.get(c, np.zeros(len(origin) - len(added), dtype=bool)), fresh[c]])
                   for c in table.columns}
    duplicates = int((book_keys.duplicated(keep=False) & book_keys.notna()).sum())
    return MergeResult(
        table=table.reset_index(drop=True),
        added=int(is_new.sum()),
        updated=int(changed.sum()),
        unchanged=int((~changed).sum()),
        vanished=vanished,
        removed=removed,
        kept_user_values=kept_user,
        skipped_rows=skipped,
        new_columns=[targets[c] for c in new_columns],
        ignored_columns=ignored,
        duplicate_book_rows=duplicates,
        origin=origin.astype(np.int64),
        written={c: written.get(c, np.zeros(len(table), dtype=bool)) for c in table.columns},
    )


def _canonical(header: object) -> str | None:
    return CANONICAL_KEYS.get(header_key(header))
