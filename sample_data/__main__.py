"""python -m sample_data --rows N --seed S --output PATH"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from sample_data.churn import write_churn_csv


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m sample_data",
        description="Write a churn-like CSV: binary label first, 69 numeric features, no header.",
    )
    parser.add_argument("--rows", type=int, default=3000, help="number of rows (default 3000)")
    parser.add_argument("--seed", type=int, default=7, help="the same seed and rows give the same bytes")
    parser.add_argument("--output", type=Path, required=True, help="CSV file to write (folders are created)")
    parser.add_argument(
        "--extra-columns",
        type=int,
        default=0,
        help="append this many numeric columns, as an upstream schema change would (default 0)",
    )
    parser.add_argument(
        "--features-only",
        action="store_true",
        help="leave the label column out: rows to score under the scoring prefix",
    )
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    if args.extra_columns < 0:
        parser.error("--extra-columns must be at least 0")
    write_churn_csv(
        args.output,
        rows=args.rows,
        seed=args.seed,
        extra_columns=args.extra_columns,
        features_only=args.features_only,
    )
    print(f"wrote {args.rows} rows to {args.output}", file=sys.stderr)


if __name__ == "__main__":
    main()
