"""`make bench`: how fast the offline pipeline is, in numbers (a script, not a test).

Prints, for the generated sample data (3,000 rows unless --rows): terraform apply time; for a
first upload (endpoint created) and a second one (endpoint updated), seconds per state and from
upload to InService; then latency and throughput of the endpoint through InvokeEndpoint:
p50 / p99 of single-row requests and rows per second for single-row and 1,000-row requests.
Everything it deploys is destroyed at the end.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from localcloud import config
from localcloud.sagemaker.latency import boto3_invoker, measure
from localcloud.server import start_in_thread
from localcloud.tools.run_follower import RunResult, upload_and_follow
from localcloud.tools.terraform import LocalTerraform
from sample_data import write_churn_csv
from scripts.empty_pipeline import delete_sagemaker_resources, empty_bucket

PIPELINE = "churn-xgboost"


def timed_run(port: int, outputs: dict, file_name: str, body: bytes) -> tuple[RunResult, float]:
    s3 = config.boto3_client("s3", port)
    sfn = config.boto3_client("stepfunctions", port)
    started = time.monotonic()
    result = upload_and_follow(s3, sfn, outputs, file_name, body, poll_seconds=0.2)
    return result, time.monotonic() - started


def print_run(label: str, result: RunResult, upload_to_done: float) -> None:
    print(f"\n{label}: {result.status}")
    if result.status != "SUCCEEDED":
        print(f"  {result.error}: {result.cause}")
        return
    for stage, seconds in result.stage_seconds().items():
        print(f"  {stage:<38} {seconds:6.2f} s")
    print(f"  {'upload -> InService (wall clock)':<38} {upload_to_done:6.2f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--single-row-requests", type=int, default=1000)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        work_dir = Path(work)
        os.environ[config.STATE_DIR_ENV_VAR] = str(work_dir / "localcloud")
        config.logs_dir().mkdir(parents=True)
        logging.basicConfig(filename=config.server_log_file(), level=logging.WARNING)
        cloud = start_in_thread(port=0)
        terraform = LocalTerraform(endpoint_url=cloud.endpoint_url, name=f"bench-{uuid.uuid4().hex[:8]}")
        try:
            terraform.init(fresh_state=True)
            started = time.monotonic()
            terraform.apply()
            print(f"terraform apply: {time.monotonic() - started:.1f} s")
            outputs = terraform.outputs()["pipelines"][PIPELINE]

            data = work_dir / "churn.csv"
            write_churn_csv(data, rows=args.rows, seed=7)
            first, first_seconds = timed_run(cloud.port, outputs, "bench-1.csv", data.read_bytes())
            print_run(f"first upload ({args.rows} rows, endpoint created)", first, first_seconds)
            write_churn_csv(data, rows=args.rows, seed=8)
            second, second_seconds = timed_run(cloud.port, outputs, "bench-2.csv", data.read_bytes())
            print_run(f"second upload ({args.rows} rows, endpoint updated)", second, second_seconds)
            if second.status != "SUCCEEDED":
                return 1

            rows = [line.split(",", 1)[1] for line in data.read_text().splitlines()[:1000]]
            invoke = boto3_invoker(cloud.endpoint_url, outputs["endpoint_name"])
            report = measure(invoke, rows, single_row_requests=args.single_row_requests)
            print("\nendpoint through InvokeEndpoint (boto3 sagemaker-runtime, local cloud):")
            print("  " + report.format().replace("\n", "\n  "))
            return 0
        finally:
            try:
                outputs_now = terraform.outputs().get("pipelines", {}).get(PIPELINE)
                if outputs_now:
                    delete_sagemaker_resources(
                        config.boto3_client("sagemaker", cloud.port), outputs_now["endpoint_name"], PIPELINE
                    )
                    empty_bucket(config.boto3_client("s3", cloud.port), outputs_now["bucket_name"])
                terraform.destroy()
                terraform.discard()
            finally:
                cloud.stop()


if __name__ == "__main__":
    sys.exit(main())
