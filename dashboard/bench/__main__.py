"""`python -m dashboard.bench all | ingest | page | propagation | memory | rebuild | soak | faults | report`.

Every command takes ``--json``: one JSON object of named figures, for comparing runs.
"""

from __future__ import annotations

import argparse
import json
import sys

MODES = ("sqlite", "scaled")
MODE_HELP = "sqlite (one worker), scaled (PostgreSQL + Redis, several workers) or both"


def choices(allowed: tuple[str, ...]):  # noqa: ANN201 (an argparse type)
    """An argparse type: a comma-separated subset of ``allowed``, or "both"/"all" for every one.

    Without it a typo (or the "both" the help used to offer) was measured as
    the default case and printed under the name typed.
    """

    def parse(value: str) -> list[str]:
        picked = (
            list(allowed) if value in ("both", "all") else [v.strip() for v in value.split(",") if v.strip()]
        )
        wrong = [v for v in picked if v not in allowed]
        if wrong or not picked:
            raise argparse.ArgumentTypeError(
                f"{', '.join(wrong) or value!r}: choose from {', '.join(allowed)}"
            )
        return picked

    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard.bench")
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser("ingest", help="import time vs pandas.read_csv(engine='pyarrow')")
    ingest.add_argument("--rows", default="1000000", help="comma-separated sizes, e.g. 10000,100000")
    ingest.add_argument(
        "--sheet-rows", default="100000", help="sizes of the .xlsx/.xls runs (comma-separated; 0: none)"
    )
    ingest.add_argument(
        "--db", default=["sqlite"], type=choices(("sqlite", "postgresql")), help="sqlite, postgresql or both"
    )
    ingest.add_argument("--json", action="store_true", help="also print the results as JSON")
    page = sub.add_parser("page", help="cold load to all charts drawn and bytes sent, per board page")
    page.add_argument(
        "--size", default=["demo", "city"], type=choices(("demo", "city")), help="demo, city or both"
    )
    page.add_argument("--json", action="store_true", help="also print the results as JSON")
    prop = sub.add_parser("propagation", help="100 viewers, a new version: time until each has redrawn")
    prop.add_argument("--mode", default=MODES, type=choices(MODES), help=MODE_HELP)
    prop.add_argument("--viewers", type=int, default=100)
    prop.add_argument(
        "--size", default="demo", choices=("demo", "city"), help="demo (a restore) or city (a 1%% replace)"
    )
    prop.add_argument("--json", action="store_true", help="also print the results as JSON")
    mem = sub.add_parser("memory", help="server RSS with 0, 100 and 500 connected viewers")
    mem.add_argument("--mode", default=MODES, type=choices(MODES), help=MODE_HELP)
    mem.add_argument("--size", default="demo", choices=("demo", "city"), help="demo or city data")
    mem.add_argument("--json", action="store_true", help="also print the results as JSON")
    rebuild = sub.add_parser("rebuild", help="city size: an upload's commit until every board is rebuilt")
    rebuild.add_argument(
        "--db", default=["sqlite"], type=choices(("sqlite", "postgresql")), help="sqlite, postgresql or both"
    )
    rebuild.add_argument("--rounds", type=int, default=2)
    rebuild.add_argument("--json", action="store_true", help="also print the results as JSON")
    soak = sub.add_parser("soak", help="viewers for minutes, an upload every 10 s, viewers coming and going")
    soak.add_argument("--minutes", type=float, default=2.0, help="how long (the target run: 30)")
    soak.add_argument("--viewers", type=int, default=100, help="viewers held open (the target run: 300)")
    soak.add_argument("--mode", default="sqlite", choices=MODES, help="sqlite (one worker) or scaled")
    soak.add_argument("--workers", type=int, default=4, help="workers in scaled mode")
    soak.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    soak.add_argument(
        "--save", action="store_true", help="record it in bench/results.json and .md (the target run)"
    )
    faults = sub.add_parser("faults", help="fault drills on servers they start: what happened vs what must")
    faults.add_argument("--only", default="", help="comma-separated drill names (default: every drill)")
    faults.add_argument("--json", action="store_true", help="print the results as one JSON object")
    every = sub.add_parser("all", help="every benchmark: one table, bench/results.md (make bench)")
    every.add_argument("--only", default="", help="e.g. memory,page: rerun those, keep the rest")
    every.add_argument("--json", action="store_true", help="also print the results as JSON")
    report = sub.add_parser("report", help="rewrite bench/results.md from bench/results.json")
    report.add_argument("--json", action="store_true", help="also print the results as JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_child"]:
        from dashboard.bench.ingest import _child

        _child(argv[1:])
        return 0
    args = build_parser().parse_args(argv)
    if args.command in ("all", "report"):
        from dashboard.bench.suite import main as suite_main

        only = [n for n in getattr(args, "only", "").split(",") if n]
        return suite_main(args.command, only or None, as_json=args.json)
    if args.command == "soak":
        from dashboard.bench import soak as soak_mod

        row = soak_mod.run(args.mode, args.minutes, args.viewers, args.workers)
        print(json.dumps(row, ensure_ascii=False) if args.json else soak_mod.report(row), flush=True)
        if args.save:
            from dashboard.bench.suite import record

            print(f"written: {record('soak_target', [row])}", file=sys.stderr)
        return 0 if row["met"] else 1
    if args.command == "faults":
        from dashboard.bench import faults as faults_mod

        names = [n.strip() for n in args.only.split(",") if n.strip()]
        return faults_mod.main(names or None, as_json=args.json)
    if args.command == "propagation":
        from dashboard.bench.propagation import run as prop_run

        results = prop_run(list(args.mode), viewers=args.viewers, size=args.size)
        _print_json(args, results)
        return 0 if all(r["met"] for r in results) else 1
    if args.command == "memory":
        from dashboard.bench.memory import run as mem_run

        results = mem_run(list(args.mode), size=args.size)
        _print_json(args, results)
        return 0 if all(r["met"] for r in results) else 1
    if args.command == "rebuild":
        from dashboard.bench.rebuild import run as rebuild_run

        results = rebuild_run(args.db, rounds=args.rounds)
        _print_json(args, results)
        return 0 if all(c["met"] for r in results for c in r["cases"]) else 1
    if args.command == "page":
        from dashboard.bench.page import main as page_main

        return page_main(args.size, as_json=args.json)
    if args.command == "ingest":
        from dashboard.bench.ingest import run

        rows = [int(r.replace("_", "")) for r in args.rows.split(",")]
        sheet_rows = [int(r.replace("_", "")) for r in args.sheet_rows.split(",") if int(r.replace("_", ""))]
        results = run(rows, args.db, sheet_rows)
        _print_json(args, results)
    return 0


def _print_json(args: argparse.Namespace, results: object) -> None:
    """``--json``: the results as one JSON object on the last line (named figures, for scripts)."""
    if args.json:
        print(json.dumps({"benchmark": args.command, "results": results}, ensure_ascii=False))


if __name__ == "__main__":
    raise SystemExit(main())
