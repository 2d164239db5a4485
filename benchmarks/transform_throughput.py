"""Batch transform throughput offline, in rows per second (a script, not a test).

Starts a local cloud in this process, trains the demo's model (binary:logistic, 100 rounds, depth 5, eta 0.2)
in-process on generated churn rows and registers it as a SageMaker model, then runs one transform job over
--rows generated rows (100,000 unless told) the way a pipeline scores a labelled file: SplitType Line,
MultiRecord mini-batches of MaxPayloadInMB (6 unless told), `InputFilter` `$[1:]` dropping the label column.
Prints the job's seconds from CreateTransformJob to Completed (model server start included) and from
TransformStartTime to TransformEndTime, the requests it made, and rows per second; checks that the output has
one line per input row.

    .venv/bin/python -m benchmarks.transform_throughput [--rows 100000] [--max-payload-mb 6] [--join]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from any directory, installed or not

import numpy as np  # noqa: E402
import xgboost as xgb  # noqa: E402

from localcloud import config  # noqa: E402
from localcloud.sagemaker import transform_jobs  # noqa: E402
from localcloud.server import start_in_thread  # noqa: E402
from sample_data import write_churn_csv  # noqa: E402

IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
BUCKET = "transform-bench"
DEMO_PARAMETERS = {"objective": "binary:logistic", "max_depth": 5, "eta": 0.2, "nthread": 1}
DEMO_ROUNDS = 100


def demo_model_tarball(work: Path) -> bytes:
    """model.tar.gz of the demo's model, trained on 5,000 generated rows (label in column 0)."""
    path = work / "train.csv"
    write_churn_csv(path, rows=5_000, seed=1)
    data = np.loadtxt(path, delimiter=",", dtype=np.float32)
    booster = xgb.train(DEMO_PARAMETERS, xgb.DMatrix(data[:, 1:], label=data[:, 0]), DEMO_ROUNDS)
    model = bytes(booster.save_raw(raw_format="ubj"))
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("xgboost-model")
        info.size = len(model)
        archive.addfile(info, io.BytesIO(model))
    return buffer.getvalue()


def admin_role(iam: Any) -> str:
    trust = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": '
        '"sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}'
    )
    everything = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    )
    arn = iam.create_role(RoleName="transform-bench", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName="transform-bench", PolicyName="everything", PolicyDocument=everything)
    return arn


def run_job(sagemaker: Any, args: argparse.Namespace) -> tuple[dict[str, Any], float]:
    processing = {"InputFilter": "$[1:]", **({"JoinSource": "Input"} if args.join else {})}
    started = time.monotonic()
    sagemaker.create_transform_job(
        TransformJobName="bench",
        ModelName="bench",
        BatchStrategy="MultiRecord",
        MaxPayloadInMB=args.max_payload_mb,
        TransformInput={
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": f"s3://{BUCKET}/input/"}},
            "ContentType": "text/csv",
            "SplitType": "Line",
        },
        TransformOutput={
            "S3OutputPath": f"s3://{BUCKET}/output/",
            "Accept": "text/csv",
            "AssembleWith": "Line",
        },
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
        DataProcessing=processing,
    )
    while True:
        described = sagemaker.describe_transform_job(TransformJobName="bench")
        if described["TransformJobStatus"] not in ("InProgress", "Stopping"):
            return described, time.monotonic() - started
        time.sleep(0.05)


def print_report(
    args: argparse.Namespace,
    input_bytes: int,
    output_lines: int,
    requests: int,
    described: dict[str, Any],
    wall_seconds: float,
) -> None:
    job_seconds = (described["TransformEndTime"] - described["TransformStartTime"]).total_seconds()
    print(f"rows: {args.rows:,} ({input_bytes / 1e6:.1f} MB), output lines: {output_lines:,}")
    print(f"requests: {requests} (MaxPayloadInMB {args.max_payload_mb}, MultiRecord)")
    for label, seconds in (
        ("CreateTransformJob -> Completed", wall_seconds),
        ("TransformStartTime -> TransformEndTime", job_seconds),
    ):
        print(f"{label}: {seconds:.2f} s, {args.rows / seconds:,.0f} rows/s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--max-payload-mb", type=int, default=6)
    parser.add_argument("--join", action="store_true", help="JoinSource Input: input row + prediction")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="transform-bench-") as work_name:
        work = Path(work_name)
        os.environ[config.STATE_DIR_ENV_VAR] = str(work / "localcloud")
        cloud = start_in_thread(port=0)
        try:
            s3, sagemaker = (config.boto3_client(name, cloud.port) for name in ("s3", "sagemaker"))
            s3.create_bucket(Bucket=BUCKET)
            s3.put_object(Bucket=BUCKET, Key="model/model.tar.gz", Body=demo_model_tarball(work))
            sagemaker.create_model(
                ModelName="bench",
                ExecutionRoleArn=admin_role(config.boto3_client("iam", cloud.port)),
                PrimaryContainer={"Image": IMAGE, "ModelDataUrl": f"s3://{BUCKET}/model/model.tar.gz"},
            )
            write_churn_csv(work / "score.csv", rows=args.rows, seed=2)
            body = (work / "score.csv").read_bytes()
            s3.put_object(Bucket=BUCKET, Key="input/score.csv", Body=body)

            described, wall_seconds = run_job(sagemaker, args)

            if described["TransformJobStatus"] != "Completed":
                print(f"transform job {described['TransformJobStatus']}: {described.get('FailureReason')}")
                return 1
            output = s3.get_object(Bucket=BUCKET, Key="output/score.csv.out")["Body"].read()
            [result] = transform_jobs.object_results(described["TransformJobArn"])
            print_report(args, len(body), output.count(b"\n"), result.requests, described, wall_seconds)
            return 0 if output.count(b"\n") == args.rows else 1
        finally:
            cloud.stop()


if __name__ == "__main__":
    sys.exit(main())
