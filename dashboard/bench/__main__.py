"""`python -m dashboard.bench ingest --rows 1000000 [--db sqlite,postgresql]`."""

from __future__ import annotations

import argparse
import json
import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        from dashboard.bench.ingest import _child

        _child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="import time vs pandas.read_csv(engine='pyarrow')")
    ingest.add_argument("--rows", default="1000000", help="comma-separated sizes, e.g. 10000,100000")
    ingest.add_argument("--db", default="sqlite", help="sqlite, postgresql or both: sqlite,postgresql")
    ingest.add_argument("--json", action="store_true", help="also print the results as JSON")
    page = sub.add_parser("page", help="cold load to all charts drawn and bytes sent, per board page")
    page.add_argument("--size", default="demo,city", help="demo, city or both: demo,city")
    page.add_argument("--json", action="store_true", help="also print the results as JSON")
    args = parser.parse_args(argv)
    if args.command == "page":
        from dashboard.bench.page import main as page_main

        return page_main(args.size.split(","), as_json=args.json)
    if args.command == "ingest":
        from dashboard.bench.ingest import run

        rows = [int(r.replace("_", "")) for r in args.rows.split(",")]
        results = run(rows, args.db.split(","))
        if args.json:
            print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
