"""The ``tierbook`` command: each command parses, calls one library function, reports.

A user error (missing file, bad column, bad option) prints one line naming
what is wrong and exits with status 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import replace

from . import __version__, tasks
from .engine import POLICIES, Settings
from .errors import SettingsError, TierbookError
from .report import problems_text, summary_text


class UsageError(TierbookError):
    """A command-line option is wrong."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        raise UsageError(message)


def _shares(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise UsageError(f"--bands: expected shares such as 0.15,0.40, got {text!r}") from None


def settings_from(args: argparse.Namespace) -> Settings:
    """Settings from the common options (--policy, --tiers, --bands)."""
    settings = Settings(policy=args.policy)
    if args.tiers:
        settings = settings.with_tiers([t for t in args.tiers.split(",") if t.strip()])
    if args.bands:
        field = "arr_bands" if settings.policy == "arr-share" else "account_bands"
        if settings.policy not in ("arr-accounts", "arr-share"):
            raise UsageError(f"--bands applies to the arr-accounts and arr-share policies, not {settings.policy}")
        settings = replace(settings, **{field: _shares(args.bands)})
    return settings


def _policy_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--policy", choices=POLICIES, default="arr-accounts", help="tiering policy (default: arr-accounts)")
    parser.add_argument("--bands", help="shares per tier but the last, e.g. 0.15,0.40")
    parser.add_argument("--tiers", help='tier names, most engaged first, e.g. "Tier 1,Tier 2,Tier 3"')


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="tierbook", description="Customer Success segmentation, tiering and cost to serve.")
    parser.add_argument("--version", action="version", version=f"tierbook {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    demo = commands.add_parser("demo", help="run the whole job on built-in sample accounts")
    demo.add_argument("--accounts", type=int, default=5_000, help="sample size (default 5,000)")
    demo.add_argument("--seed", type=int, default=7, help="sample seed (default 7)")
    _policy_options(demo)

    tier = commands.add_parser("tier", help="tier a CSV or .xlsx of accounts into a CSV")
    tier.add_argument("input", help="accounts file (.csv or .xlsx)")
    tier.add_argument("-o", "--output", required=True, help="CSV to write")
    _policy_options(tier)
    return parser


def cmd_demo(args: argparse.Namespace) -> int:
    result = tasks.demo(args.accounts, args.seed, settings_from(args))
    print(f"Sample book of business: {len(result.accounts):,} accounts (seed {args.seed}, with CRM defects).")
    print(summary_text(result))
    print()
    print(problems_text(result.problems))
    return 0


def cmd_tier(args: argparse.Namespace) -> int:
    result = tasks.tier_file(args.input, args.output, settings_from(args))
    print(summary_text(result))
    print(f"Wrote {len(result.accounts):,} accounts to {args.output}.")
    print(problems_text(result.problems, limit=10), file=sys.stderr)
    return 0


COMMANDS = {"demo": cmd_demo, "tier": cmd_tier}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (TierbookError, SettingsError) as exc:
        print(f"tierbook: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"tierbook: error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("tierbook: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
