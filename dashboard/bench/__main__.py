"""`python -m dashboard.bench all | ingest | page | propagation | memory | report`."""

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
    prop = sub.add_parser("propagation", help="100 viewers, a new version: time until each has redrawn")
    prop.add_argument(
        "--mode", default="sqlite,scaled", help="sqlite (one worker), scaled (PG + Redis) or both"
    )
    prop.add_argument("--viewers", type=int, default=100)
    mem = sub.add_parser("memory", help="server RSS with 0, 100 and 500 connected viewers")
    mem.add_argument(
        "--mode", default="sqlite,scaled", help="sqlite (one worker), scaled (PG + Redis) or both"
    )
    every = sub.add_parser("all", help="every benchmark: one table, bench/results.md (make bench)")
    every.add_argument("--only", default="", help="e.g. memory,page: rerun those, keep the rest")
    sub.add_parser("report", help="rewrite bench/results.md from bench/results.json")
    args = parser.parse_args(argv)
    if args.command in ("all", "report"):
        from dashboard.bench.suite import main as suite_main

        only = [n for n in getattr(args, "only", "").split(",") if n]
        return suite_main(args.command, only or None)
    if args.command == "propagation":
        from dashboard.bench.propagation import run as prop_run

        results = prop_run(args.mode.split(","), viewers=args.viewers)
        return 0 if all(r["met"] for r in results) else 1
    if args.command == "memory":
        from dashboard.bench.memory import run as mem_run

        results = mem_run(args.mode.split(","))
        return 0 if all(r["met"] for r in results) else 1
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
