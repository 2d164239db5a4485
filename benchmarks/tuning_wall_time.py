"""A hyperparameter tuning job's wall time offline: 6 candidates, 2 at a time (a script, not a test).

Starts a local cloud in this process, uploads generated churn rows (3,000 unless --rows: 80% as the train
channel, 20% as validation), creates a Random tuning job of the XGBoost image (demo hyperparameters: 100
rounds; eta, max_depth and min_child_weight tuned; objective validation:auc, Maximize; seed 1) and polls
it until it ends. Prints the wall time from CreateHyperParameterTuningJob to the end, each candidate's
seconds and objective value, and the best candidate. Exit status 0 when the tuning job completed.

    .venv/bin/python -m benchmarks.tuning_wall_time [--rows 3000] [--candidates 6] [--parallel 2]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script from any directory, installed or not

from benchmarks.training_channels import IMAGE, channel, sagemaker_role, upload_channels  # noqa: E402
from localcloud import config  # noqa: E402
from localcloud.server import start_in_thread  # noqa: E402

BUCKET = "tuning-bench"
NAME = "churn-tuning-bench"
POLL_SECONDS = 0.2


def _request(role_arn: str, candidates: int, parallel: int) -> dict:
    return {
        "HyperParameterTuningJobName": NAME,
        "HyperParameterTuningJobConfig": {
            "Strategy": "Random",
            "RandomSeed": 1,
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": candidates, "MaxParallelTrainingJobs": parallel},
            "ParameterRanges": {
                "ContinuousParameterRanges": [
                    {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5", "ScalingType": "Logarithmic"},
                    {"Name": "min_child_weight", "MinValue": "1", "MaxValue": "10"},
                ],
                "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "3", "MaxValue": "8"}],
            },
        },
        "TrainingJobDefinition": {
            "StaticHyperParameters": {
                "num_round": "100",
                "objective": "binary:logistic",
                "eval_metric": "auc",
            },
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": role_arn,
            "InputDataConfig": [channel(BUCKET, "train"), channel(BUCKET, "validation")],
            "OutputDataConfig": {"S3OutputPath": f"s3://{BUCKET}/models/"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--candidates", type=int, default=6)
    parser.add_argument("--parallel", type=int, default=2)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tuning-bench-") as work:
        os.environ[config.STATE_DIR_ENV_VAR] = str(Path(work) / "localcloud")
        config.logs_dir().mkdir(parents=True)
        logging.basicConfig(filename=config.server_log_file(), level=logging.WARNING)
        cloud = start_in_thread(port=0)
        try:
            upload_channels(cloud.port, Path(work), args.rows, BUCKET)
            sagemaker = config.boto3_client("sagemaker", cloud.port)
            request = _request(sagemaker_role(cloud.port, "tuning-bench"), args.candidates, args.parallel)
            started = time.monotonic()
            sagemaker.create_hyper_parameter_tuning_job(**request)
            while True:
                described = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=NAME)
                if described["HyperParameterTuningJobStatus"] not in ("InProgress", "Stopping"):
                    break
                time.sleep(POLL_SECONDS)
            wall_seconds = time.monotonic() - started
            summaries = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
                HyperParameterTuningJobName=NAME, MaxResults=100
            )["TrainingJobSummaries"]
        finally:
            cloud.stop()

    print(
        f"tuning job: {described['HyperParameterTuningJobStatus']}, {args.candidates} candidates, "
        f"{args.parallel} in parallel, {args.rows} rows"
    )
    for summary in summaries:
        seconds = (summary["TrainingEndTime"] - summary["CreationTime"]).total_seconds()
        value = summary.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")
        print(
            f"  {summary['TrainingJobName']}  {summary['TrainingJobStatus']:<9} {seconds:5.1f} s  "
            f"validation:auc={value}  {summary['TunedHyperParameters']}"
        )
    if described["HyperParameterTuningJobStatus"] == "Completed":
        best = described["BestTrainingJob"]
        value = best["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]
        print(f"best: {best['TrainingJobName']} (validation:auc={value})")
    else:
        print(f"failure: {described.get('FailureReason')}")
    print(f"wall time: {wall_seconds:.1f} s")
    return 0 if described["HyperParameterTuningJobStatus"] == "Completed" else 1


if __name__ == "__main__":
    sys.exit(main())
