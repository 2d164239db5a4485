"""`make demo`: the whole pipeline on this machine, offline, as a user would run it on AWS.

1. start the local cloud on one loopback port (or reuse one already running there);
2. `terraform apply` the root configuration with environments/demo.tfvars, pointed at the local cloud
   by an override file (see localcloud.tools.terraform);
3. generate sample data and upload it under the bucket's input prefix with boto3;
4. follow the run the S3 notification started, state by state;
5. invoke the endpoint for five rows and print label and prediction, then a summary.
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from localcloud import config
from localcloud.server import LocalCloud, port_answers, start_in_thread
from localcloud.tools.run_follower import RunResult, StateTiming, read_json_object, upload_and_follow
from localcloud.tools.terraform import LocalTerraform
from sample_data import write_churn_csv

DEMO_PIPELINE = "churn-xgboost"
DEMO_WORKING_COPY = "localcloud-demo"
PREDICTION_ROWS = 5


def _say(message: str) -> None:
    print(message, flush=True)


class _StateProgress:
    """Prints each state once when first entered; the endpoint polling loop would repeat them."""

    def __init__(self) -> None:
        self.seen: set[str] = set()

    def __call__(self, timing: StateTiming) -> None:
        if timing.name not in self.seen:
            self.seen.add(timing.name)
            _say(f"  -> {timing.name}")


def predict_rows(runtime: Any, endpoint_name: str, rows: list[list[str]]) -> list[float]:
    """Invoke the endpoint with feature rows (no label) as text/csv; one prediction per row."""
    payload = "\n".join(",".join(row) for row in rows)
    response = runtime.invoke_endpoint(
        EndpointName=endpoint_name, ContentType="text/csv", Accept="text/csv", Body=payload.encode()
    )
    body = response["Body"].read().decode().strip()
    return [float(value) for value in body.replace("\n", ",").split(",") if value]


def first_rows(path: Path, count: int) -> list[list[str]]:
    with path.open(newline="") as handle:
        return [row for _, row in zip(range(count), csv.reader(handle), strict=False)]


def print_summary(
    result: RunResult, manifest: dict[str, Any], apply_seconds: float, upload_to_done: float
) -> None:
    output = result.output or {}
    metric = output.get("metric") or {}
    _say("\nSummary")
    _say(f"  run id            {result.run_input['run_id']}")
    rows = manifest["rows"]
    _say(
        f"  rows              train {rows['train']}, validation {rows['validation']}, "
        f"rejected {rows['rejected']}"
    )
    _say(f"  gate metric       {metric.get('name')} = {metric.get('value')}")
    _say(f"  model             {output.get('model_name')}")
    _say(f"  endpoint          {output.get('endpoint_name')}")
    _say(f"  terraform apply   {apply_seconds:.1f} s")
    _say("  seconds per stage")
    for stage, seconds in result.stage_seconds().items():
        _say(f"    {stage:<38} {seconds:5.1f}")
    _say(f"    {'whole run (execution start -> end)':<38} {result.seconds:5.1f}")
    _say(f"  upload -> InService (wall clock) {upload_to_done:.1f} s")


def run_demo(port: int, rows: int, seed: int, keep_running: bool) -> int:
    cloud: LocalCloud | None = None
    if port_answers(port):
        _say(f"Using the local cloud already running on {config.endpoint_url(port)}")
    else:
        # The services log to a file, so this terminal shows the run and the log keeps the details
        # (moto's interpreter logs, for example, every path a Choice state tests and does not find).
        config.logs_dir().mkdir(parents=True, exist_ok=True)
        logging.basicConfig(
            filename=config.server_log_file(),
            level=logging.INFO,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        cloud = start_in_thread(port=port)
        _say(f"Started the local cloud on {cloud.endpoint_url} (log: {config.server_log_file()})")
    endpoint_url = config.endpoint_url(port)
    try:
        terraform = LocalTerraform(endpoint_url=endpoint_url, name=DEMO_WORKING_COPY)
        # A cloud started just now is empty: state from an earlier demo describes nothing real.
        terraform.init(fresh_state=cloud is not None)
        _say("terraform apply (root configuration, demo.tfvars, local endpoint override) ...")
        started = time.monotonic()
        terraform.apply()
        apply_seconds = time.monotonic() - started
        pipeline = terraform.outputs()["pipelines"][DEMO_PIPELINE]
        _say(f"  applied in {apply_seconds:.1f} s; bucket {pipeline['bucket_name']}")

        data_file = config.PROJECT_ROOT / "build" / "sample-data" / f"churn-{rows}-{seed}.csv"
        write_churn_csv(data_file, rows=rows, seed=seed)
        file_name = f"churn-{time.strftime('%Y%m%d-%H%M%S')}.csv"
        s3 = config.boto3_client("s3", port)
        sfn = config.boto3_client("stepfunctions", port)
        _say(f"Uploading {rows} rows to {pipeline['input_s3_uri']}{file_name}; states of the run it starts:")
        upload_started = time.monotonic()
        result = upload_and_follow(
            s3, sfn, pipeline, file_name, data_file.read_bytes(), on_state=_StateProgress()
        )
        upload_to_done = time.monotonic() - upload_started
        run_input = result.run_input
        if result.status != "SUCCEEDED":
            _say(f"\nRun {result.status}: {result.error}\n{result.cause}")
            return 1

        runtime = config.boto3_client("sagemaker-runtime", port)
        sample = first_rows(data_file, PREDICTION_ROWS)
        predictions = predict_rows(runtime, pipeline["endpoint_name"], [row[1:] for row in sample])
        _say(f"\ninvoke_endpoint({pipeline['endpoint_name']}) for {PREDICTION_ROWS} rows:")
        _say("  label  prediction")
        for row, prediction in zip(sample, predictions, strict=True):
            _say(f"  {row[0]:>5}  {prediction:.4f}")
        manifest = read_json_object(s3, run_input["outputs"]["manifest"])
        print_summary(result, manifest, apply_seconds, upload_to_done)
        if cloud is not None and keep_running:
            _say(f"\nThe local cloud keeps running on {endpoint_url}; Ctrl-C stops it.")
            _wait_forever()
        return 0
    finally:
        if cloud is not None:
            cloud.stop()


def _wait_forever() -> None:
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m localcloud.tools.demo", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--port", type=int, default=config.current_port())
    parser.add_argument("--rows", type=int, default=3000, help="sample rows to generate (default 3000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep-running", action="store_true", help="keep the local cloud up after the demo (Ctrl-C stops it)"
    )
    args = parser.parse_args(argv)
    return run_demo(args.port, args.rows, args.seed, args.keep_running)


if __name__ == "__main__":
    sys.exit(main())
