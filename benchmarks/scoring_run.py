"""Batch scoring on upload, the whole run offline, in rows per second (a script, not a test).

Deploys demo.tfvars with `scoring = { prefix = "score/" }` to a local cloud started in this process, trains
and deploys the demo's model once (3,000 rows), then uploads --rows generated feature rows (100,000 unless
told) under score/ and times the scoring run it starts, from upload to SUCCEEDED: the trigger, counting the
input, finding the serving model, the transform job (6 MB mini-batches), counting the predictions and the
manifest. Prints the seconds per state, rows per second end to end, and checks rows out == rows in.
`make bench-transform` measures the bare transform job. Everything it deploys is destroyed at the end.

    .venv/bin/python -m benchmarks.scoring_run [--rows 100000]
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.deployed_demo import deployed_demo
from localcloud import config
from localcloud.tools.demo_scoring import SCORING_VARIANT, upload_and_follow_scoring
from localcloud.tools.run_follower import upload_and_follow
from sample_data import write_churn_csv


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)

    with deployed_demo("bench-scoring", variant=SCORING_VARIANT) as demo:
        work_dir, cloud, outputs = demo.work_dir, demo.cloud, demo.outputs
        s3 = config.boto3_client("s3", cloud.port)
        sfn = config.boto3_client("stepfunctions", cloud.port)

        training = work_dir / "churn.csv"
        write_churn_csv(training, rows=3000, seed=7)
        trained = upload_and_follow(s3, sfn, outputs, "train.csv", training.read_bytes(), poll_seconds=0.2)
        print(f"training run (3,000 rows): {trained.status}")
        if trained.status != "SUCCEEDED":
            print(f"  {trained.error}: {trained.cause}")
            return 1

        features = work_dir / "features.csv"
        write_churn_csv(features, rows=args.rows, seed=8, features_only=True)
        size_mb = features.stat().st_size / 1_000_000
        started = time.monotonic()
        scored = upload_and_follow_scoring(s3, sfn, outputs, "features.csv", features.read_bytes())
        seconds = time.monotonic() - started
        print(f"\nscoring run ({args.rows:,} rows, {size_mb:.1f} MB): {scored.status}")
        if scored.status != "SUCCEEDED" or scored.output is None:
            print(f"  {scored.error}: {scored.cause}")
            return 1
        for state in scored.states:
            if state.seconds is not None and state.seconds >= 0.01:
                print(f"  {state.name:<38} {state.seconds:6.2f} s")
        manifest = scored.output["manifest"]
        print(f"  {'upload -> SUCCEEDED (wall clock)':<38} {seconds:6.2f} s")
        print(f"  rows in {manifest['rows_in']:,}, rows out {manifest['rows_out']:,}")
        print(f"  {args.rows / seconds:,.0f} rows/s end to end")
        return 0 if manifest["rows_in"] == manifest["rows_out"] == args.rows else 1


if __name__ == "__main__":
    sys.exit(main())
