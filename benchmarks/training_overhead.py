"""A training job through the local cloud beside raw `xgboost.train` in a process of its own, on the same
data and hyperparameters (a script, not a test: it prints numbers).

Starts a local cloud in this process, uploads generated churn rows (3,000 unless --rows: 80% as the train
channel, 20% as validation) and runs the demo's XGBoost training job (--runs times; CreateTrainingJob,
then DescribeTrainingJob every 20 ms until it ends). The baseline is a fresh Python process that loads the
same two CSV files with NumPy, trains with `xgboost.train` on the same hyperparameters, evaluating both
sets each round, and saves the model: what any XGBoost training costs on this machine. The ratio of the
medians is the local cloud's cost and holds on any machine.

    .venv/bin/python -m benchmarks.training_overhead [--rows 3000] [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from any directory, installed or not

from benchmarks.training_channels import IMAGE, channel, sagemaker_role, upload_channels  # noqa: E402
from localcloud import config  # noqa: E402
from localcloud.server import start_in_thread  # noqa: E402
from localcloud.tools.demo_tuning import DEMO_HYPERPARAMETERS  # noqa: E402  # demo.tfvars' hyperparameters

BUCKET = "training-bench"
POLL_SECONDS = 0.02

# The baseline: argv[1] = train CSV, argv[2] = validation CSV, argv[3] = hyperparameters (JSON), argv[4] =
# where to save the model.
RAW_TRAINING = """
import json, sys
import numpy as np
import xgboost as xgb
def load(path):
    data = np.loadtxt(path, delimiter=",", dtype=np.float32, ndmin=2)
    return xgb.DMatrix(data[:, 1:], label=data[:, 0])
params = json.loads(sys.argv[3])
rounds = int(params.pop("num_round"))
train, validation = load(sys.argv[1]), load(sys.argv[2])
evals = [(train, "train"), (validation, "validation")]
booster = xgb.train(params, train, rounds, evals=evals, verbose_eval=False)
booster.save_model(sys.argv[4])
"""


def _training_job_seconds(sagemaker: object, role_arn: str, name: str) -> float:
    started = time.monotonic()
    sagemaker.create_training_job(  # type: ignore[attr-defined]
        TrainingJobName=name,
        HyperParameters=DEMO_HYPERPARAMETERS,
        AlgorithmSpecification={"TrainingImage": IMAGE, "TrainingInputMode": "File"},
        RoleArn=role_arn,
        InputDataConfig=[channel(BUCKET, "train"), channel(BUCKET, "validation")],
        OutputDataConfig={"S3OutputPath": f"s3://{BUCKET}/models/"},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 600},
    )
    while True:
        described = sagemaker.describe_training_job(TrainingJobName=name)  # type: ignore[attr-defined]
        if described["TrainingJobStatus"] not in ("InProgress", "Stopping"):
            break
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - started
    if described["TrainingJobStatus"] != "Completed":
        raise RuntimeError(
            f"training job {name} {described['TrainingJobStatus']}: {described.get('FailureReason')}"
        )
    return seconds


def _raw_training_seconds(files: dict[str, Path], work: Path) -> float:
    argv = [sys.executable, "-c", RAW_TRAINING, str(files["train"]), str(files["validation"])]
    argv += [json.dumps(DEMO_HYPERPARAMETERS), str(work / "raw-model.json")]
    started = time.monotonic()
    subprocess.run(argv, check=True)
    return time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="training-bench-") as work:
        os.environ[config.STATE_DIR_ENV_VAR] = str(Path(work) / "localcloud")
        # No Spark worker warming in the background while training is timed.
        os.environ.setdefault("LOCALCLOUD_GLUE_WARM_WORKERS", "0")
        config.logs_dir().mkdir(parents=True)
        logging.basicConfig(filename=config.server_log_file(), level=logging.WARNING)
        cloud = start_in_thread(port=0)
        try:
            files = upload_channels(cloud.port, Path(work), args.rows, BUCKET)
            sagemaker = config.boto3_client("sagemaker", cloud.port)
            role_arn = sagemaker_role(cloud.port, "training-bench")
            through, raw = [], []
            # Alternated, so that a busier moment of the machine weighs on both.
            for run in range(args.runs):
                through.append(_training_job_seconds(sagemaker, role_arn, f"training-bench-{run}"))
                raw.append(_raw_training_seconds(files, Path(work)))
        finally:
            cloud.stop()

    def show(values: list[float]) -> str:
        return f"median {statistics.median(values):.2f} s (runs: {', '.join(f'{v:.2f}' for v in values)})"

    print(f"{args.rows} rows, {DEMO_HYPERPARAMETERS['num_round']} rounds, {args.runs} runs each")
    print(f"training job through the local cloud (create -> Completed): {show(through)}")
    print(f"baseline, raw xgboost.train in a fresh process:              {show(raw)}")
    print(f"ratio: {statistics.median(through) / statistics.median(raw):.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
