"""`make demo DEMO=tuning`: what the tuning variant changes in demo.tfvars, and what the demo prints of the
tuning job its run started: every candidate with its tuned hyperparameters and objective value, and which
one the run judged, registered and deployed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from localcloud import config
from localcloud.tools.run_follower import RunResult, read_json_object

# The hyperparameters the variant tunes; demo.tfvars fixes them, so the variant leaves them out of
# training.hyperparameters (the module refuses a hyperparameter both tuned and fixed).
TUNED_HYPERPARAMETERS = ("eta", "max_depth")
DEMO_HYPERPARAMETERS = {
    "max_depth": "5",
    "eta": "0.2",
    "gamma": "4",
    "min_child_weight": "6",
    "subsample": "0.8",
    "objective": "binary:logistic",
    "eval_metric": "error",
    "num_round": "100",
}
TUNING_VARIANT: dict[str, Any] = {
    "training": {
        "hyperparameters": {
            name: value for name, value in DEMO_HYPERPARAMETERS.items() if name not in TUNED_HYPERPARAMETERS
        }
    },
    # The closing-note benchmark's shape (make bench-tuning): 6 candidates, 2 at once. Bayesian runs as
    # random search offline (localcloud/sagemaker/README.md, "Hyperparameter tuning").
    "tuning": {
        "strategy": "Bayesian",
        "max_jobs": 6,
        "max_parallel_jobs": 2,
        "ranges": {
            "continuous": {"eta": {"min": 0.05, "max": 0.5, "scaling": "Logarithmic"}},
            "integer": {"max_depth": {"min": 2, "max": 8}},
        },
    },
}


def show_tuning(port: int, result: RunResult, say: Callable[[str], None]) -> int:
    """Print the run's tuning job and its candidates, best first; 1 if the run deployed another model."""
    sagemaker = config.boto3_client("sagemaker", port)
    tuning_job = result.run_input["names"]["tuning_job"]
    described = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning_job)
    objective = described["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]
    limits = described["HyperParameterTuningJobConfig"]["ResourceLimits"]
    candidates = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=tuning_job, MaxResults=100
    )["TrainingJobSummaries"]
    say(
        f"\nTuning job {tuning_job} ({described['HyperParameterTuningJobConfig']['Strategy']}, run as random "
        f"search offline): {described['HyperParameterTuningJobStatus']}, "
        f"{limits['MaxNumberOfTrainingJobs']} candidates, {limits['MaxParallelTrainingJobs']} at once, "
        f"{objective['Type']} {objective['MetricName']}"
    )

    def objective_value(candidate: dict[str, Any]) -> float:
        value = candidate.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")
        if value is None:
            return float("inf")
        return value if objective["Type"] == "Minimize" else -value

    best = described.get("BestTrainingJob", {}).get("TrainingJobName")
    for candidate in sorted(candidates, key=objective_value):
        metric = candidate.get("FinalHyperParameterTuningJobObjectiveMetric", {}).get("Value")
        tuned = ", ".join(
            f"{name}={value}" for name, value in sorted(candidate["TunedHyperParameters"].items())
        )
        seconds = (candidate["TrainingEndTime"] - candidate["TrainingStartTime"]).total_seconds()
        say(
            f"  {'*' if candidate['TrainingJobName'] == best else ' '} {candidate['TrainingJobName']}  "
            f"{objective['MetricName']} = {metric if metric is not None else candidate['ObjectiveStatus']}  "
            f"{tuned}  ({seconds:.1f} s)"
        )
    tune_seconds = sum(timing.seconds or 0.0 for timing in result.states if timing.name == "Tune")
    say(f"  tuning wall time (the Tune state, create -> Completed): {tune_seconds:.1f} s")
    evaluation = read_json_object(config.boto3_client("s3", port), result.run_input["outputs"]["evaluation"])
    say(
        f"  * picked: {evaluation['tuning']['best_training_job']} "
        f"{evaluation['tuning']['hyperparameters']}; the gate judged it, it was registered and it serves "
        f"(evaluation.json: {result.run_input['outputs']['evaluation']})"
    )
    deployed = (result.output or {}).get("training_job_name")
    if deployed != best:
        say(f"  the run deployed {deployed}, not the best candidate {best}")
        return 1
    return 0
