"""The ``tierbook`` command: each command parses, calls one library function, reports.

A user error (missing file, bad column, bad option) prints one line naming
what is wrong and exits with status 2; never a traceback. ``check`` exits
with status 1 when it finds an error-severity data problem, so it can gate a
pipeline.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__, progress, tasks
from .crm.rule_targets import LIVE_TARGETS, TARGETS
from .files import atomic_write
from .engine import POLICIES, Settings
from .engine.checks import error_count
from .engine.overrides import override_notes
from .engine.reading import DECIMALS
from .errors import SettingsError, TierbookError
from .sample import MAX_ROWS
from .cli_options import UsageError, count, new_book_settings, policy_options, rule_options, settings_from
from .report import capacity_text, problems_text, summary_json, summary_text


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


BY_HELP = "who Tier History names for this run's entries (default: this computer's user name)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tierbook", description="Customer Success segmentation, tiering and cost to serve.")
    parser.add_argument("--version", action="version", version=f"tierbook {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = commands.add_parser("demo", help="run the whole job on built-in sample accounts")
    demo.add_argument("--accounts", type=count("--accounts", 1, MAX_ROWS), default=5_000,
                      help="sample size (default 5,000)")
    demo.add_argument("--seed", type=count("--seed", 0), default=7, help="sample seed (default 7)")
    demo.add_argument("--workbook", default=DEMO_BOOK,
                      help=f"where to write the demo workbook (default ./{DEMO_BOOK}, an earlier one kept as "
                           "its .bak.xlsx; '' for none)")
    policy_options(demo)

    tier = commands.add_parser("tier", help="tier a CSV or .xlsx of accounts into a CSV")
    tier.add_argument("input", help="accounts file (.csv or .xlsx)")
    tier.add_argument("-o", "--output", required=True, help="CSV to write")
    policy_options(tier)

    new = commands.add_parser("new", help="create a workbook from the template")
    new.add_argument("book", help="the .xlsx to create (.xlsm with --desktop)")
    new.add_argument("--sample", type=count("--sample", 0, MAX_ROWS), default=0, metavar="N",
                     help="fill it with N sample accounts and tier them")
    new.add_argument("--seed", type=count("--seed", 0), default=7, help="sample seed (default 7)")
    new.add_argument("--force", action="store_true", help="replace the file if it exists")
    new.add_argument("--tiers", metavar="NAMES",
                     help='tier names, most engaged first, e.g. "Strategic,Scale,Digital,Community"')
    new.add_argument("--desktop", action="store_true",
                     help="macro workbook whose Assign Tiers button calls Python through desktop xlwings")

    settings = commands.add_parser("settings", help="list a workbook's Settings, or set some: KEY=VALUE ...")
    settings.add_argument("book", help="the workbook")
    settings.add_argument("items", nargs="*", metavar="KEY=VALUE", help="settings to change")

    assign = commands.add_parser("assign", help="Assign Tiers on a workbook, headless (what the button does)")
    assign.add_argument("book", help="the workbook")
    assign.add_argument("--by", metavar="NAME", help=BY_HELP)
    assign.add_argument("--dry-run", action="store_true",
                        help="print what Assign Tiers would write (tiers, changes, tables); write nothing")

    whatif = commands.add_parser(
        "whatif", help="compare scenarios (named sets of setting changes) with the settings in force",
        description="Compare the settings in force with scenarios: per tier accounts, ARR, cost, value, CTS % ARR "
        "and FTE, FTE by role, the budget check, and who moves. Without scenarios on the command line, those stored "
        "on the Scenarios sheet. The book is not changed, unless --apply, --save or --write.",
        epilog="Keys: a Settings key (policy=arr-share), account_bands:TIER, arr_bands:TIER, score_cutoffs:TIER, "
        "headcount:ROLE, productive_hours:ROLE, loaded_cost:ROLE, segment_tiers:SEGMENT, rule:N, "
        "interval:SERVICE:TIER, unit_cost:SERVICE, tier:TIER (a new name). Example: tierbook whatif Book.xlsx "
        "Wider account_bands:High-touch=20% Cheaper unit_cost:Webinars=25 interval:Webinars:Mid-touch=2")
    whatif.add_argument("book", help="the workbook")
    whatif.add_argument("items", nargs="*", metavar="NAME KEY=VALUE", help="a scenario's name, then its changes")
    whatif.add_argument("--compare", nargs="+", metavar="NAME", help="show only these scenarios (default: all)")
    whatif.add_argument("--apply", metavar="NAME", help="write this scenario's settings and assign tiers")
    whatif.add_argument("--by", metavar="NAME", help=BY_HELP)
    whatif.add_argument("--sweep", metavar="KEY=START:STOP:STEP",
                        help="one run per value of one setting, e.g. account_bands:High-touch=10%%:20%%:2%%")
    whatif.add_argument("--save", action="store_true",
                        help="store the scenarios given here on the Scenarios sheet (and write the comparison there)")
    whatif.add_argument("--write", action="store_true",
                        help="write the comparison onto the Scenarios sheet (what the Compare Scenarios button does)")
    whatif.add_argument("--movers", type=count("--movers", 0), default=10,
                        help="largest ARR movers to list per scenario (default 10)")

    restore = commands.add_parser("restore", help="bring back the version the last write replaced (BOOK.bak.xlsx)",
                                  description="Swap BOOK.bak.xlsx and BOOK.xlsx: the backup becomes the book and "
                                  "the book the backup. A backup older than the book's last good version is "
                                  "refused unless --force.")
    restore.add_argument("book", help="the workbook")
    restore.add_argument("--force", action="store_true",
                         help="restore even a backup older than the book's last good version")

    check = commands.add_parser("check", help="list the data problems of a workbook's accounts "
                                "(exit status 1 if any is an error)")
    check.add_argument("book", help="the workbook")
    check.add_argument("--limit", type=count("--limit", 0), default=20, help="problem rows to show (default 20)")

    capacity = commands.add_parser("capacity", help="print a workbook's capacity plan")
    capacity.add_argument("book", help="the workbook")

    summary = commands.add_parser("summary", help="print a workbook's per-tier summary")
    summary.add_argument("book", help="the workbook")
    summary.add_argument("--json", action="store_true", help="print JSON instead of a table")

    imp = commands.add_parser(
        "import", help="merge a CRM export (Salesforce, HubSpot) into a book by Account ID",
        description="Merge a CRM export into a book: new accounts are added, existing ones updated, "
        "accounts no longer in the export reported (kept unless --replace). Tier Override, Override "
        "Reason and every book column the export lacks are never overwritten.",
        epilog="A mapping file (TOML) names the export's columns when auto cannot: "
        'base = "salesforce"  [fields]  "Account ID" = "Id"  ARR = "Total_ARR__c"',
    )
    imp.add_argument("export", help="the CRM export (.csv or .xlsx)")
    imp.add_argument("--into", required=True, metavar="BOOK", help="the book to merge into (created if missing)")
    imp.add_argument("--mapping", default="auto", metavar="auto|salesforce|hubspot|tierbook|FILE.toml",
                     help="how the export's columns map to Tierbook's (default: auto, printed)")
    imp.add_argument("--replace", action="store_true", help="remove book accounts the export no longer has")
    imp.add_argument("--decimal", choices=DECIMALS, default="auto",
                     help="the export's decimal mark (default: read it from the values)")
    imp.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    imp.add_argument("--by", metavar="NAME", help="who a new account's override from the export was set by, where "
                     "the export does not say (default: this computer's user name)")

    export = commands.add_parser(
        "export", help="write tiers for CRM upload, or the tier rule as SQL / a CRM or Excel formula",
        description="Tier BOOK, then write one of: an upload CSV (--crm), the tier rule for a SQL engine "
        "or as a formula (--rule), or the typed table that SQL reads (--rule-input).",
    )
    export.add_argument("book", help="the book (an accounts .csv or .xlsx)")
    what = export.add_mutually_exclusive_group(required=True)
    what.add_argument("--crm", metavar="OUT.csv", help="upload file: record ID, Tier, Segment")
    what.add_argument("--rule", choices=(*TARGETS, *LIVE_TARGETS), metavar="TARGET",
                      help="the tier rule: SQL (sql, duckdb, spark, databricks, snowflake, bigquery, postgres), "
                      "a salesforce or excel formula; a dialect with -live (duckdb-live, snowflake-live, ...) "
                      "recomputes the ARR bands from the table on every run")
    what.add_argument("--rule-input", metavar="OUT.parquet|OUT.csv", help="the typed table the SQL reads")
    export.add_argument("--format", default=None, metavar="salesforce|hubspot|tierbook|FILE.toml",
                        help="CRM field names for --crm and --rule salesforce (default: those the book's last "
                        "import recorded, else salesforce)")
    export.add_argument("--changed-only", action="store_true", help="only accounts whose tier changed since the last export")
    export.add_argument("--dry-run", action="store_true", help="print the summary; write nothing")
    export.add_argument("--state", metavar="FILE", help="record of the last export (default: BOOK.last-crm-export.csv)")
    export.add_argument("--table", default="accounts", help="table the SQL reads (default: accounts)")
    export.add_argument("-o", "--output", metavar="FILE", help="write the rule to FILE instead of printing it")
    export.add_argument("--policy", choices=POLICIES, default=None, help="tiering policy (default: arr-accounts)")
    export.add_argument("--bands", help="shares per tier but the last, e.g. 0.15,0.40")
    export.add_argument("--tiers", help='tier names, most engaged first, e.g. "Tier 1,Tier 2,Tier 3"')
    rule_options(export)
    return parser


DEMO_BOOK = "tierbook-demo.xlsx"


def cmd_demo(args: argparse.Namespace) -> int:
    kept = _keep_earlier(Path(args.workbook)) if args.workbook else None
    result = tasks.demo(args.accounts, args.seed, settings_from(args), workbook=args.workbook)
    print(f"Sample book of business: {len(result.accounts):,} accounts (seed {args.seed}, with CRM defects).")
    print(summary_text(result))
    print()
    print(problems_text(result.problems))
    if args.workbook:
        print()
        print(f"Wrote the demo workbook to {Path(args.workbook).resolve()} ({len(result.accounts):,} accounts, tiered).")
        if kept is not None:
            print(f"The file that was there is kept as {kept.name}.")
    return 0


def _keep_earlier(path: Path) -> Path | None:
    """Copy a file the demo is about to replace to PATH.bak.xlsx, so a re-run never loses a user's edits."""
    import shutil

    from .workbook.package import backup_path

    if not path.is_file():
        return None
    kept = backup_path(path)
    shutil.copy2(path, kept)
    return kept


def cmd_tier(args: argparse.Namespace) -> int:
    result = tasks.tier_file(args.input, args.output, settings_from(args))
    print(summary_text(result))
    print(f"Wrote {len(result.accounts):,} accounts to {args.output}.")
    print(problems_text(result.problems, limit=10), file=sys.stderr)
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    result = tasks.new_workbook(args.book, sample=args.sample, seed=args.seed, force=args.force, desktop=args.desktop,
                                settings=new_book_settings(args.tiers))
    if args.desktop:
        print(f"Wrote {args.book} and, next to it, {Path(args.book).with_suffix('.py').name} (its button runs "
              "main() there through xlwings). Keep both together; see the README, \"Use it in Excel\".")
    if result is None:
        print(f"Wrote {args.book}: an empty Tierbook workbook. Paste accounts into its Accounts sheet, "
              f"then run: tierbook assign {args.book}")
    else:
        print(f"Wrote {args.book} with {result.accounts:,} sample accounts (seed {args.seed}), tiered.")
        print(summary_text(result.run))
    return 0


def cmd_settings(args: argparse.Namespace) -> int:
    spec, items = tasks.tiers_item(args.items)
    if spec is not None:
        reshaped = tasks.change_workbook_tiers(args.book, spec, items)
        for line in reshaped.lines():
            print(line)
        result = reshaped.assigned
        print(summary_text(result.run))
        print(f"Rebuilt {result.path} for the new tiers and assigned tiers to {result.accounts:,} accounts; "
              f"{result.changes:,} tier changes logged; run stamp {result.stamp} UTC.")
        if result.backup is not None:
            print(f"The previous version is kept as {result.backup.name}.")
        print(problems_text(result.run.problems, limit=5), file=sys.stderr)
        return 0
    rows = tasks.workbook_settings(args.book, args.items)
    if args.items:
        print(f"Updated {args.book}. Run  tierbook assign {args.book}  to re-tier with the new settings.")
    width = max(len(k) for k, _, _ in rows)
    for key, value, _meaning in rows:
        shown = f"{value:,.10g}" if isinstance(value, float) else str(value)
        print(f"{key.ljust(width)}  {shown}")
    return 0


def cmd_assign(args: argparse.Namespace) -> int:
    result = tasks.assign_workbook(args.book, dry_run=args.dry_run, by=args.by)
    if args.dry_run:
        print(result.plan.describe())
        print(f"Dry run: {result.path} is unchanged.")
        print(problems_text(result.run.problems, limit=5), file=sys.stderr)
        return 0
    if result.reshaped is not None:
        for line in result.reshaped.lines():
            print(line)
    print(summary_text(result.run))
    print(f"Assigned tiers to {result.accounts:,} accounts in {result.path} in {result.seconds:.1f} s; "
          f"{result.changes:,} tier changes logged; run stamp {result.stamp} UTC.")
    if notes := override_notes(result.run.tiers.overrides):
        print(notes)
    if result.backup is not None:
        print(f"The previous version is kept as {result.backup.name}.")
    print(problems_text(result.run.problems, limit=5), file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    done = tasks.restore_workbook(args.book, force=args.force)
    print(f"Restored {done.path} from {done.backup.name}."
          + (f" The version it replaced is kept as {done.backup.name}." if done.kept else ""))
    return 0


def cmd_whatif(args: argparse.Namespace) -> int:
    from .scenario_report import comparison_text, sweep_rows, sweep_text

    comparison, applied, written = tasks.workbook_whatif(args.book, args.items, args.compare, args.apply, args.sweep,
                                                         save=args.save, write=args.write, by=args.by)
    swept = args.sweep.partition("=")[0].strip() if args.sweep else None
    if swept is None or len(comparison.names) - 1 > len(sweep_rows(comparison, swept)):
        print(comparison_text(comparison, movers=args.movers, leave_out=swept))
    if swept is not None:
        print(f"Sweep of {swept}:")
        print(sweep_text(comparison, swept))
    if written is not None:
        print(("Scenarios stored on the Scenarios sheet. " if args.save else "") + written.message)
    if applied is None:
        if written is None:
            print(f"{args.book} is unchanged." + ("" if args.sweep or len(comparison.names) > 1 else
                                                 " Name a scenario and its changes (tierbook whatif BOOK NAME "
                                                 "KEY=VALUE), or store scenarios on the Scenarios sheet"))
        return 0
    print()
    print(applied.plan.message)
    print(f"Applied scenario {args.apply!r} to {applied.path}: its settings written, {applied.changes:,} tier changes "
          f"logged in Tier History; run stamp {applied.stamp} UTC.")
    if applied.backup is not None:
        print(f"The previous version is kept as {applied.backup.name}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    result = tasks.workbook_run(args.book)
    print(problems_text(result.problems, limit=args.limit))
    return 1 if error_count(result.problems) else 0


def cmd_capacity(args: argparse.Namespace) -> int:
    print(capacity_text(tasks.workbook_run(args.book)))
    return 0


def cmd_summary(args: argparse.Namespace) -> int:
    result = tasks.workbook_run(args.book)
    if args.json:
        import json

        print(json.dumps(summary_json(result), indent=2, allow_nan=False))
    else:
        print(summary_text(result))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    report = tasks.import_crm(args.export, args.into, mapping=args.mapping, replace=args.replace,
                              decimal=args.decimal, dry_run=args.dry_run, by=args.by)
    print(report.text(args.export, args.into))
    return 0


def _export_settings(args: argparse.Namespace) -> Settings | None:
    """Settings from the options, or ``None`` to use the book's own (a workbook's Settings sheet)."""
    if args.policy is None and not (args.tiers or args.bands or args.tier_rule or args.default_tier):
        return None
    return settings_from(args)


def cmd_export(args: argparse.Namespace) -> int:
    settings = _export_settings(args)
    if args.crm:
        plan = tasks.export_crm(args.book, args.crm, settings, crm=args.format, changed_only=args.changed_only,
                                dry_run=args.dry_run, state=args.state)
        if args.dry_run:
            print("Dry run: nothing written.")
        else:
            print(f"Wrote {len(plan.table):,} rows to {args.crm}; recorded this export for --changed-only.")
        return 0
    if args.rule_input:
        table = tasks.export_rule_input(args.book, args.rule_input, settings)
        print(f"Wrote {len(table):,} accounts ({len(table.columns)} typed columns) to {args.rule_input}.")
        return 0
    rule = tasks.export_rule(args.book, args.rule, settings, table=args.table, crm=args.format)
    if args.output:
        atomic_write(Path(args.output), lambda tmp: Path(tmp).write_text(rule.text, encoding="utf-8"))
        print(f"Wrote the {args.rule} rule to {args.output}.")
    else:
        sys.stdout.write(rule.text)
    return 0


COMMANDS = {"demo": cmd_demo, "tier": cmd_tier, "new": cmd_new, "settings": cmd_settings, "assign": cmd_assign,
            "restore": cmd_restore, "whatif": cmd_whatif, "check": cmd_check, "capacity": cmd_capacity,
            "summary": cmd_summary, "import": cmd_import,
            "export": cmd_export}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        with progress.terminal():  # a bar on standard error when it is a terminal; nothing otherwise
            return COMMANDS[args.command](args)
    except (TierbookError, SettingsError) as exc:
        print(f"tierbook: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader (head, less) stopped early: nothing went wrong here. Silence the final flush.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"tierbook: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tierbook: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
