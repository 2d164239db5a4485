"""Check that the working tree's glue/etl_job.py writes byte-for-byte what an earlier version writes.

Runs both versions (the working tree's and the one at --baseline-ref, extracted with `git show` into a
temporary folder: nothing in the repository changes) as fresh `python etl_job.py` processes on the same
generated input with a few bad lines of every kind, and compares train/, validation/, rejected/ (their part
files concatenated in name order) and the manifest. Both runs use the same output URIs (each run's outputs
are moved aside afterwards), so the manifest, which records every argument, must be equal as a whole: it
holds no timing and no path of the script itself.

    .venv/bin/python benchmarks/etl_output_identity.py [--rows 1000000] [--baseline-ref HEAD]

Prints both versions' seconds and "identical", or what differs (exit status 1).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from any directory, installed or not

from sample_data import write_churn_csv  # noqa: E402

SCRIPT = ROOT / "glue" / "etl_job.py"
OUTPUTS = ("train", "validation", "rejected")


def _bad_lines(good: str) -> list[str]:
    """One line of every rejection reason (and blank lines), made from a valid row."""
    fields = good.split(",")
    return [
        f'"{good}"',  # quoted_line
        ",".join(fields[:-1]),  # wrong_column_count
        ",".join(["", *fields[1:]]),  # missing_label
        ",".join([*fields[:3], "abc", *fields[4:]]),  # non_numeric
        ",".join([*fields[:-1], "NaN"]),  # non_numeric, last column
        "",  # blank
        " \t ",  # blank with spaces and a tab
    ]


def write_input(path: Path, rows: int) -> None:
    """Generated churn rows with bad lines at the start, in the middle, near the end and as the last line."""
    clean = path.with_suffix(".clean.csv")
    write_churn_csv(clean, rows=rows, seed=7)
    positions = {0, 1, 2, rows // 3, rows // 2, rows - 1}
    with clean.open(encoding="utf-8") as source, path.open("w", encoding="utf-8") as target:
        for index, line in enumerate(source):
            if index in positions:
                bad = _bad_lines(line.rstrip("\n"))
                # Rotate, so each position gets the kinds in a different order.
                shift = index % len(bad)
                target.writelines(f"{b}\n" for b in bad[shift:] + bad[:shift])
            target.write(line)
        target.write(f"{_bad_lines(line.rstrip(chr(10)))[3]}\n")  # a bad last line
    clean.unlink()


def run(script: Path, source: Path, output: Path) -> float:
    """Seconds of one `python etl_job.py` run writing under `output`."""
    shutil.rmtree(output, ignore_errors=True)
    argv = [sys.executable, str(script), "--run_id", "identity", "--input_uri", str(source)]
    argv += ["--train_uri", f"{output}/train/", "--validation_uri", f"{output}/validation/"]
    argv += ["--rejected_uri", f"{output}/rejected/", "--manifest_uri", f"{output}/manifest.json"]
    argv += ["--max_rejected_fraction", "0.01"]
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        result = subprocess.run(argv, stdout=log, stderr=log, text=True, check=False)
        if result.returncode != 0:
            log.seek(0)
            raise RuntimeError(f"{script} failed: {log.read().strip().splitlines()[-1:]}")
    return time.perf_counter() - started


def _part_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def _chunks(files: list[Path]) -> Iterator[bytes]:
    for file in files:
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                yield chunk


def _digest(folder: Path) -> tuple[str, int, int]:
    """SHA-256, size and line count of the folder's files concatenated in name order."""
    digest, size, lines = hashlib.sha256(), 0, 0
    for chunk in _chunks(_part_files(folder)):
        digest.update(chunk)
        size += len(chunk)
        lines += chunk.count(b"\n")
    return digest.hexdigest(), size, lines


def compare(baseline: Path, current: Path) -> list[str]:
    """What differs between two runs' outputs; empty when identical."""
    differences = []
    for name in OUTPUTS:
        old, new = _digest(baseline / name), _digest(current / name)
        if old != new:
            differences.append(
                f"{name}/: baseline {old[1]} bytes, {old[2]} lines; current {new[1]} bytes, {new[2]} lines"
            )
    old_manifest = json.loads((baseline / "manifest.json").read_text())
    new_manifest = json.loads((current / "manifest.json").read_text())
    for key in sorted(old_manifest.keys() | new_manifest.keys()):
        if old_manifest.get(key) != new_manifest.get(key):
            differences.append(
                f"manifest {key}: baseline {old_manifest.get(key)!r}, current {new_manifest.get(key)!r}"
            )
    return differences


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline-ref", default="HEAD", help="git revision of the baseline (default HEAD)")
    parser.add_argument("--workdir", type=Path, default=ROOT / "build" / "etl-identity")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    source = args.workdir / f"churn-{args.rows}-with-bad-lines.csv"
    if not source.exists():
        write_input(source, args.rows)

    shown = subprocess.run(
        ["git", "show", f"{args.baseline_ref}:glue/etl_job.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    output = args.workdir / "out"
    results = {name: args.workdir / f"out-{name}" for name in ("baseline", "current")}
    seconds = {}
    with tempfile.TemporaryDirectory() as folder:
        baseline_script = Path(folder) / "etl_job.py"
        baseline_script.write_text(shown.stdout)
        for name, script in (("baseline", baseline_script), ("current", SCRIPT)):
            # The same output URIs for both runs: the manifest records them.
            seconds[name] = run(script, source, output)
            shutil.rmtree(results[name], ignore_errors=True)
            output.rename(results[name])

    print(
        f"{args.rows} rows: baseline ({args.baseline_ref}) {seconds['baseline']:.1f} s, "
        f"current (working tree) {seconds['current']:.1f} s"
    )
    differences = compare(results["baseline"], results["current"])
    if differences:
        print("DIFFERENT:\n  " + "\n  ".join(differences))
        sys.exit(1)
    print("identical: train/, validation/, rejected/ and manifest.json")


if __name__ == "__main__":
    main()
