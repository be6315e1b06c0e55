"""CRM round-trip: import an export, upload tiers back, and the tier rule as a formula.

Pure functions over DataFrames and :class:`~tierbook.engine.Settings` runs:

* :mod:`.mapping` — Salesforce / HubSpot field names -> Tierbook columns;
* :mod:`.resolve` — which mapping an export gets (named, from a file, or detected);
* :mod:`.values` — numbers and dates as exports write them -> one plain form;
* :mod:`.merge` — merge an export into the book's accounts by Account ID;
* :mod:`.upload` — the upload file and the changed-since-last-export plan;
* :mod:`.rule_ir` / :mod:`.rule_compile` — the policy as ordered branches, compiled per policy;
* :mod:`.rule_sql` / :mod:`.rule_formula` — their SQL (sqlglot) and spreadsheet (Excel, Salesforce) lowering;
* :mod:`.rules_export` — the export: the statement or formula to paste, with its comment;
* :mod:`.live_bands` — the ARR bands recomputed in the warehouse by window functions;
* :mod:`.store` — what import and export need from a book (:class:`~.store.BookStore`),
  and the plain accounts file that provides it; the workbook adapter provides
  it for a Tierbook workbook, and the task layer picks one of the two.
"""
