"""Run the Glue ETL job locally on generated churn data and print wall time, rows/s and peak memory, beside
a DuckDB baseline (benchmarks/etl_duckdb_baseline.py) that applies the same rules to the same file.

Each size runs `python glue/etl_job.py ...` in a fresh process (its own JVM, as the offline cloud runs it),
then the baseline in its own process. Peak memory is the sum of the high-water marks (VmHWM) of the process
and its children, polled from /proc, so it is Linux-only. The train and validation rows of both must be
the same multisets; the bench says so or shows the difference. Not a test: it prints numbers.

    .venv/bin/python benchmarks/etl_bench.py [--rows 1000000 5000000] [--workdir build/etl-bench]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from any directory, installed or not

from sample_data import write_churn_csv  # noqa: E402

SCRIPT = ROOT / "glue" / "etl_job.py"
BASELINE = ROOT / "benchmarks" / "etl_duckdb_baseline.py"
POLL_SECONDS = 0.1


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


def _process_tree(pid: int) -> list[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(_children(current))
    return tree


def _high_water_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def measure(argv: list[str]) -> tuple[float, int, str]:
    """Seconds, peak KiB (the process and its children, e.g. Python + JVM) and stdout of one run."""
    # Output goes to files, not pipes: a chatty Spark log would fill a pipe nobody reads while polling.
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdout=out, stderr=err, text=True)
        peaks: dict[int, int] = {}
        while process.poll() is None:
            for pid in _process_tree(process.pid):
                peak = _high_water_kib(pid)
                if peak is not None:
                    peaks[pid] = max(peak, peaks.get(pid, 0))
            time.sleep(POLL_SECONDS)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise RuntimeError(f"{Path(argv[1]).name} failed: {stderr.strip().splitlines()[-1:]}")
    return seconds, sum(peaks.values()), stdout


def run_job(input_path: Path, output_path: Path) -> tuple[float, int]:
    """Seconds and peak KiB (Python + JVM) of one job run."""
    argv = [sys.executable, str(SCRIPT), "--run_id", "bench", "--input_uri", str(input_path)]
    argv += ["--train_uri", f"{output_path}/train/", "--validation_uri", f"{output_path}/validation/"]
    argv += ["--rejected_uri", f"{output_path}/rejected/", "--manifest_uri", f"{output_path}/manifest.json"]
    seconds, peak_kib, _ = measure(argv)
    return seconds, peak_kib


def run_baseline(input_path: Path, output_path: Path) -> tuple[float, int]:
    """Seconds and peak KiB of the DuckDB baseline on the same input."""
    argv = [sys.executable, str(BASELINE), "--input", str(input_path), "--output", str(output_path)]
    seconds, peak_kib, _ = measure(argv)
    return seconds, peak_kib


def _lines(paths: str) -> str:
    # One VARCHAR column per whole line: the delimiter never occurs in a line, nothing is quoted.
    return (
        f"SELECT coalesce(line, '') AS line FROM read_csv({paths}, columns={{'line': 'VARCHAR'}}, "
        "delim='\x01', header=false, quote='', escape='', auto_detect=false)"
    )


def compare_rows(spark_output: Path, duckdb_output: Path) -> str:
    """Whether Spark's and DuckDB's train and validation rows are the same multisets, or how they differ."""
    con = duckdb.connect()
    problems = []
    for side in ("train", "validation"):
        spark_lines = _lines(f"'{spark_output / side}/part-*'")
        duckdb_lines = _lines(f"'{duckdb_output / side}.csv'")
        for name, left, right in (
            ("only Spark", spark_lines, duckdb_lines),
            ("only DuckDB", duckdb_lines, spark_lines),
        ):
            query = f"SELECT line FROM ({left} EXCEPT ALL {right})"
            count = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
            if count:
                example = con.execute(f"{query} LIMIT 1").fetchone()[0]
                problems.append(f"{side}: {count} rows {name}, e.g. {example[:60]!r}")
    return "identical train/validation rows" if not problems else "DIFFERENT: " + "; ".join(problems)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 5_000_000])
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "etl-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    header = f"{'rows':>10} {'input MB':>9} {'engine':>7} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}"
    print(f"{header}  Spark/DuckDB (time, memory)")
    all_identical = True
    for rows in args.rows:
        source = args.workdir / f"churn-{rows}.csv"
        if not source.exists():
            write_churn_csv(source, rows=rows, seed=7)
        size_mb = source.stat().st_size / 1e6
        results = {}
        for engine, runner in (("Spark", run_job), ("DuckDB", run_baseline)):
            output = args.workdir / f"out-{rows}" / engine.lower()
            shutil.rmtree(output, ignore_errors=True)
            seconds, peak_kib = runner(source, output)
            results[engine] = (seconds, peak_kib)
            print(
                f"{rows:>10} {size_mb:>9.1f} {engine:>7} {seconds:>8.1f} {rows / seconds:>9.0f}"
                f" {peak_kib / 1024:>8.0f}",
                flush=True,
            )
        (spark_s, spark_kib), (duck_s, duck_kib) = results["Spark"], results["DuckDB"]
        verdict = compare_rows(
            args.workdir / f"out-{rows}" / "spark", args.workdir / f"out-{rows}" / "duckdb"
        )
        all_identical &= verdict.startswith("identical")
        print(
            f"{'':>10} Spark/DuckDB: {spark_s / duck_s:.1f}x time, {spark_kib / duck_kib:.1f}x peak memory;"
            f" {verdict}"
        )
    if not all_identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
