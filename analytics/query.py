"""The SQL console's sandbox from the command line, for scripting.

    python -m analytics.query [--db PATH] [--rows respondent|aggregate] [--format csv|json|arrow]
                              [--max-rows N] [--max-result-mb MB] [--timeout S] [--memory-limit SIZE] "SQL"
    echo "SELECT ..." | python -m analytics.query -
    python -m analytics.query --schema -        # the tier's tables and columns as JSON

Exit codes: 0 the result is on stdout; 3 the query was refused, failed or timed out (one line on
stderr); 2 usage error. --rows picks the console tier (analytics.console_tiers); the default is
respondent, as whoever runs this on the server can read the database file anyway. CSV cells that
could start a spreadsheet formula get a leading quote; JSON gives the exact values; arrow is an
Arrow IPC stream (what the console page reads back, see analytics.sandbox_process). The process
caps its own heap, so a runaway query only costs itself.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys

from analytics import console_tiers, result_files, sandbox, sandbox_process, schema_browser

EXIT_OK, EXIT_USAGE, EXIT_REFUSED = 0, 2, 3


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m analytics.query",
        description="Run one read-only SQL statement on the skills database (the SQL console's sandbox).",
    )
    p.add_argument("sql", metavar="SQL", help="the statement, or - to read it from stdin")
    p.add_argument("--db", help="database file (default $SKILLS_DB or data/skills.duckdb)")
    p.add_argument("--rows", choices=console_tiers.TIERS, default=console_tiers.RESPONDENT,
                   help="what the query may read: respondent rows or only k-safe aggregates (default respondent)")
    p.add_argument("--format", choices=("csv", "json", "arrow"), default="csv", help="output format (default csv)")
    p.add_argument("--schema", action="store_true", help="print the tier's tables and columns as JSON instead")
    p.add_argument("--max-rows", type=_positive_int, default=sandbox.DEFAULT_LIMITS.max_rows,
                   help=f"row cap (default {sandbox.DEFAULT_LIMITS.max_rows})")
    p.add_argument("--max-result-mb", type=_positive_float, default=sandbox.DEFAULT_LIMITS.max_result_bytes / 1024**2,
                   help=f"result size cap in MB (default {sandbox.DEFAULT_LIMITS.max_result_bytes / 1024**2:g})")
    p.add_argument("--timeout", type=_positive_float, default=sandbox.DEFAULT_LIMITS.timeout_s,
                   help=f"seconds before the query is stopped (default {sandbox.DEFAULT_LIMITS.timeout_s:g})")
    p.add_argument("--memory-limit", type=_size, default=sandbox.DEFAULT_LIMITS.memory_limit,
                   help=f"DuckDB memory limit, e.g. 512MB (default {sandbox.DEFAULT_LIMITS.memory_limit})")
    p.add_argument("--progress", action="store_true", help=argparse.SUPPRESS)  # for analytics.sandbox_process
    return p


def _size(text: str) -> str:
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|KiB|MiB|GiB)", text.strip(), flags=re.IGNORECASE):
        raise argparse.ArgumentTypeError(f"not a size like 512MB or 2GB: {text!r}")
    return text.strip()


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage and the problem
        return EXIT_USAGE if exc.code else EXIT_OK
    limits = dataclasses.replace(sandbox.DEFAULT_LIMITS, max_rows=args.max_rows, timeout_s=args.timeout,
                                 memory_limit=args.memory_limit, max_result_bytes=int(args.max_result_mb * 1024**2))
    progress = _progress if args.progress else None
    try:
        sandbox.cap_process_memory(limits)
        if progress:
            progress(sandbox_process.STARTED)
        sql = sys.stdin.read() if args.sql == "-" else args.sql
        if args.schema:
            tables = schema_browser.browse(args.db, limits, args.rows)
            output = json.dumps([schema_browser.to_record(t) for t in tables], ensure_ascii=False).encode("utf-8")
        else:
            result = sandbox.run_query(sql, args.db, limits, args.rows,
                                       on_running=(lambda: progress(sandbox_process.RUNNING)) if progress else None)
            output = _render(result, args.format)
    except sandbox.SandboxError as exc:
        print(exc.line(), file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # last line of defence: one line, never a traceback
        print(f"failed: {type(exc).__name__}: {sandbox.one_line(exc)}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        sys.stdout.buffer.write(output)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into head: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    if not args.schema and result.truncated:
        cap = f"{limits.max_rows} rows (--max-rows)" if result.cut_by == "rows" else \
            f"{args.max_result_mb:g} MB (--max-result-mb)"
        print(f"note: only the first {result.row_count} rows were returned, the cap being {cap}", file=sys.stderr)
    return EXIT_OK


def _progress(line: bytes) -> None:
    sys.stderr.buffer.write(line + b"\n")
    sys.stderr.flush()


def _render(result: sandbox.QueryResult, fmt: str) -> bytes:
    if fmt == "arrow":
        return sandbox_process.to_arrow_stream(result)
    if fmt == "json":
        return (result_files.json_text(result) + "\n").encode("utf-8")
    return result_files.csv_text(result).encode("utf-8")


if __name__ == "__main__":
    sys.exit(main())
