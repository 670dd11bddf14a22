"""Every figure of issue 7 in one run: the ingest benchmark, then the pages benchmark.

    python -m benchmarks

The pages benchmark builds the 72 M-answer org database first when a complete one is not there
yet (benchmarks.org_data, deterministic). Each part prints its figures next to their baselines as
ratios measured in the same run; see docs/benchmarks.md.
"""
from __future__ import annotations

import sys

from benchmarks import ingest_benchmark, pages_benchmark


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args:
        print("usage: python -m benchmarks (no options; run the parts on their own for theirs)", file=sys.stderr)
        return 2
    ingest = ingest_benchmark.main([])
    print(flush=True)
    pages = pages_benchmark.main([])
    return ingest or pages


if __name__ == "__main__":
    sys.exit(main())
