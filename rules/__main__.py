"""Command line: ``python -m rules check FILE --catalog CATALOG.json`` and ``python -m rules fmt FILE``.

Exit codes: 0 fine, 1 the rules have errors, 2 the file or catalog could not be read or the checker failed."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .catalog import Catalog
from .checker import check_errors
from .errors import InternalError, RulesError, format_error, format_errors
from .formatter import format_source
from .parser import parse


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise SystemExit(f"{path}: cannot read the file ({e.strerror or e})") from None
    except UnicodeDecodeError:
        raise SystemExit(f"{path}: the file is not UTF-8 text") from None


def _check(args) -> int:
    source = _read(args.file)
    try:
        catalog = Catalog.from_json(Path(args.catalog)) if args.catalog else Catalog()
    except (OSError, ValueError, json.JSONDecodeError) as e:
        print(f"{args.catalog}: the catalog could not be read ({e})", file=sys.stderr)
        return 2
    errors = check_errors(source, catalog)
    if errors:
        print(format_errors(source, args.file, errors))
        return _exit_code(errors)
    count = len(parse(source).rules)
    print(f"ok: {count} rules")  # the contract's exact words, whatever the count
    return 0


def _fmt(args) -> int:
    source = _read(args.file)
    try:
        text = format_source(source)
    except RulesError as e:
        print(format_error(source, args.file, e))
        return _exit_code([e])
    sys.stdout.write(text)
    return 0


def _exit_code(errors) -> int:
    """1 when the rules are wrong; 2 when the checker itself failed (a script can tell them apart)."""
    return 2 if any(isinstance(e, InternalError) for e in errors) else 1


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rules", description="Check and format the firm's rules.")
    sub = parser.add_subparsers(dest="command", required=True)
    p_check = sub.add_parser("check", help="check a rules file against the firm's catalog")
    p_check.add_argument("file")
    p_check.add_argument("--catalog", help="CATALOG.json: what exists in the firm")
    p_check.set_defaults(run=_check)
    p_fmt = sub.add_parser("fmt", help="print the canonical formatting of a rules file")
    p_fmt.add_argument("file")
    p_fmt.set_defaults(run=_fmt)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
