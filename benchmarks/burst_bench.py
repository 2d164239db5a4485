"""Bursts, in numbers: N uploads at once, and which model ends up serving (a script, not a test).

Starts a local cloud in this process, applies environments/demo.tfvars, creates the endpoint with a first
upload, then uploads N files with distinct data at the same moment (8 unless --uploads) and follows every
run. Prints per run: outcome (Deployed, Superseded by which run, or the failure), seconds from upload to the
end of the run; then the newest upload (greatest order key) and the run whose model the endpoint serves.
Everything it deploys is destroyed at the end. Exit status 0 when no run failed and the newest upload serves.

    .venv/bin/python -m benchmarks.burst_bench --uploads 8 --rows 2000
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from benchmarks.deployed_demo import deployed_demo
from localcloud import config
from localcloud.tools.run_follower import RunResult, upload_and_follow
from localcloud.tools.serving import served_container
from sample_data import write_churn_csv


def timed_run(port: int, outputs: dict, file_name: str, body: bytes) -> tuple[RunResult, float]:
    s3 = config.boto3_client("s3", port)
    sfn = config.boto3_client("stepfunctions", port)
    started = time.monotonic()
    result = upload_and_follow(s3, sfn, outputs, file_name, body, poll_seconds=0.2, timeout=1800)
    return result, time.monotonic() - started


def outcome(result: RunResult) -> str:
    if result.status != "SUCCEEDED":
        return f"{result.status} {result.error}"
    output = result.output or {}
    if output.get("outcome") == "Superseded":
        return f"Superseded by {output['superseded_by']['run_id']}"
    return f"{output.get('outcome')} ({output.get('endpoint_action')})"


def serving_run(port: int, endpoint_name: str, results: list[RunResult]) -> str | None:
    """The run id whose model the endpoint serves (its model data URL holds the run's prefix)."""
    url = served_container(config.boto3_client("sagemaker", port), endpoint_name)["ModelDataUrl"]
    return next((r.run_input["run_id"] for r in results if f"/{r.run_input['run_id']}/" in url), None)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=8)
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args(argv)

    with deployed_demo("burst") as demo:
        work_dir, cloud, outputs = demo.work_dir, demo.cloud, demo.outputs

        def body(name: str, seed: int) -> bytes:
            path = work_dir / name
            write_churn_csv(path, rows=args.rows, seed=seed)
            return path.read_bytes()

        first, first_seconds = timed_run(cloud.port, outputs, "burst-first.csv", body("first.csv", 1))
        print(f"first upload ({args.rows} rows): {outcome(first)} in {first_seconds:.1f} s")
        if first.status != "SUCCEEDED":
            print(f"  {first.cause}")
            return 1

        bodies = {f"burst-{i}.csv": body(f"{i}.csv", 100 + i) for i in range(args.uploads)}
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.uploads) as pool:
            futures = [pool.submit(timed_run, cloud.port, outputs, n, b) for n, b in bodies.items()]
            runs = [future.result() for future in futures]
        wall = time.monotonic() - started

        results = [result for result, _ in runs]
        newest = max(results, key=lambda result: result.run_input["order_key"])
        print(f"\n{args.uploads} uploads at once ({args.rows} rows each), in order of upload (order key):")
        for result, seconds in sorted(runs, key=lambda run: run[0].run_input["order_key"]):
            run_id = result.run_input["run_id"]
            marker = "  <- newest" if result is newest else ""
            print(f"  {run_id:<28} {outcome(result):<48} {seconds:6.1f} s{marker}")
            if result.status != "SUCCEEDED":
                print(f"    {result.cause}")
        counts: dict[str, int] = {}
        for result in results:
            key = result.status if result.status != "SUCCEEDED" else result.output["outcome"]
            counts[key] = counts.get(key, 0) + 1
        serving = serving_run(cloud.port, outputs["endpoint_name"], results)
        print(f"\noutcomes: {counts}; wall clock from the uploads to the last run's end: {wall:.1f} s")
        print(f"newest upload's run: {newest.run_input['run_id']}")
        print(f"endpoint serves the model of: {serving}")
        ok = serving == newest.run_input["run_id"] and all(r.status == "SUCCEEDED" for r in results)
        return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
