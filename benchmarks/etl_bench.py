"""Run the Glue ETL job locally on generated churn data and print wall time, rows/s and peak memory.

Each size runs `python glue/etl_job.py ...` in a fresh process (its own JVM, as the offline cloud runs it).
Peak memory is the sum of the high-water marks (VmHWM) of the Python process and its JVM child, polled
from /proc, so it is Linux-only. Not a test: it prints numbers.

    .venv/bin/python benchmarks/etl_bench.py [--rows 100000 1000000] [--workdir build/etl-bench]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from any directory, installed or not

from sample_data import write_churn_csv  # noqa: E402

SCRIPT = ROOT / "glue" / "etl_job.py"
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


def run_job(input_path: Path, output_path: Path) -> tuple[float, int]:
    """Seconds and peak KiB (Python + JVM) of one job run."""
    argv = [sys.executable, str(SCRIPT), "--run_id", "bench", "--input_uri", str(input_path)]
    argv += ["--train_uri", f"{output_path}/train/", "--validation_uri", f"{output_path}/validation/"]
    argv += ["--rejected_uri", f"{output_path}/rejected/", "--manifest_uri", f"{output_path}/manifest.json"]
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peaks: dict[int, int] = {}
    while process.poll() is None:
        for pid in _process_tree(process.pid):
            peak = _high_water_kib(pid)
            if peak is not None:
                peaks[pid] = max(peak, peaks.get(pid, 0))
        time.sleep(POLL_SECONDS)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise RuntimeError(f"job failed on {input_path}: {stderr.strip().splitlines()[-1:]}")
    return seconds, sum(peaks.values())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "etl-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>10} {'input MB':>9} {'seconds':>8} {'rows/s':>9} {'peak MB':>8}")
    for rows in args.rows:
        source = args.workdir / f"churn-{rows}.csv"
        if not source.exists():
            write_churn_csv(source, rows=rows, seed=7)
        output = args.workdir / f"out-{rows}"
        shutil.rmtree(output, ignore_errors=True)
        seconds, peak_kib = run_job(source, output)
        size_mb = source.stat().st_size / 1e6
        print(f"{rows:>10} {size_mb:>9.1f} {seconds:>8.1f} {rows / seconds:>9.0f} {peak_kib / 1024:>8.0f}")


if __name__ == "__main__":
    main()
