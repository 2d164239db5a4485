"""Explicit template variables for the state machine tests: what the module would pass for three pipelines.

Values are written out rather than computed from the module, so these tests depend on the template alone;
the end-to-end test compares Python's rendering with the module's own (its output
`state_machine_template_variables`), and tests/test_render_parity.py compares the two renderers.
"""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT_ID = "123456789012"

# The demo's churn pipeline in us-east-1 (environments/demo.tfvars).
CHURN_XGBOOST: dict[str, Any] = {
    "glue_job_name": "churn-xgboost-etl",
    "deployments_table_name": "churn-xgboost-deployments",
    "model_package_group_name": "churn-xgboost",
    "pipeline_name": "churn-xgboost",
    "events_source": "mlops-pipeline.churn-xgboost",
    "approval": {"manual": False, "status_when_passed": "Approved"},
    "sagemaker_role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/churn-xgboost-sagemaker",
    "sagemaker_kms_key_arn": None,
    "training_image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
    "training": {
        "image_uri": None,
        "image_repository": "sagemaker-xgboost",
        "image_tag": "3.0-5",
        "hyperparameters": {
            "max_depth": "5",
            "eta": "0.2",
            "gamma": "4",
            "min_child_weight": "6",
            "subsample": "0.8",
            "objective": "binary:logistic",
            "eval_metric": "error",
            "num_round": "100",
        },
        "content_type": "text/csv",
        "instance_type": "ml.m5.large",
        "instance_count": 1,
        "volume_size_gb": 10,
        "max_runtime_seconds": 3600,
        "vpc": None,
        "enable_network_isolation": False,
        "enable_inter_container_traffic_encryption": False,
    },
    "quality_gate": {
        "enabled": True,
        "metric_name": "validation:error",
        "comparison": "LessThan",
        "threshold": 0.1,
    },
    "endpoint": {
        "name": "churn-xgboost-endpoint",
        "variant_name": "AllTraffic",
        "instance_type": "ml.m5.large",
        "instance_count": 1,
        "serverless": None,
        "poll_interval_seconds": 30,
        "max_polls": 120,
    },
    # The module's default: SageMaker's all-at-once blue/green update, watched by the module's alarms.
    "endpoint_deployment": {
        "strategy": "all_at_once",
        "config": {
            "BlueGreenUpdatePolicy": {
                "TrafficRoutingConfiguration": {"Type": "ALL_AT_ONCE", "WaitIntervalInSeconds": 0},
                "TerminationWaitInSeconds": 0,
                "MaximumExecutionTimeoutInSeconds": 1800,
            },
            "AutoRollbackConfiguration": {
                "Alarms": [
                    {"AlarmName": "churn-xgboost-endpoint-5xx-errors"},
                    {"AlarmName": "churn-xgboost-endpoint-4xx-errors"},
                    {"AlarmName": "churn-xgboost-endpoint-model-latency"},
                ]
            },
        },
        "rollback_alarm_names": [
            "churn-xgboost-endpoint-5xx-errors",
            "churn-xgboost-endpoint-4xx-errors",
            "churn-xgboost-endpoint-model-latency",
        ],
        "watches_alarms": True,
        "update_max_polls": 180,
    },
    # No hyperparameter tuning (the module's default); TUNED below is the tuning variant.
    "tuning": None,
}

# A canary on four instances: one instance (25 %) bakes 300 s, then the rest bakes 300 s.
CANARY_DEPLOYMENT: dict[str, Any] = {
    "strategy": "canary",
    "config": {
        "BlueGreenUpdatePolicy": {
            "TrafficRoutingConfiguration": {
                "Type": "CANARY",
                "WaitIntervalInSeconds": 300,
                "CanarySize": {"Type": "CAPACITY_PERCENT", "Value": 25},
            },
            "TerminationWaitInSeconds": 60,
            "MaximumExecutionTimeoutInSeconds": 1800,
        },
        "AutoRollbackConfiguration": {"Alarms": [{"AlarmName": "churn-xgboost-endpoint-4xx-errors"}]},
    },
    "rollback_alarm_names": ["churn-xgboost-endpoint-4xx-errors"],
    "watches_alarms": True,
    "update_max_polls": 182,
}

# Linear Learner from an explicit image, no gate, an endpoint shared by name.
NO_GATE: dict[str, Any] = {
    **copy.deepcopy(CHURN_XGBOOST),
    "glue_job_name": "no-gate-etl",
    "deployments_table_name": "no-gate-deployments",
    "model_package_group_name": "no-gate",
    "pipeline_name": "no-gate",
    "events_source": "mlops-pipeline.no-gate",
    # A person approves each version.
    "approval": {"manual": True, "status_when_passed": "PendingManualApproval"},
    "sagemaker_role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/no-gate-sagemaker",
    "training_image": "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1",
    "quality_gate": {**CHURN_XGBOOST["quality_gate"], "enabled": False},
}
NO_GATE["training"].update(
    image_uri="382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1",
    hyperparameters={"predictor_type": "binary_classifier", "mini_batch_size": "100"},
)
NO_GATE["endpoint"]["name"] = "shared-endpoint"
# No rollback alarms: SageMaker's default update (no DeploymentConfig), nothing to describe on rollback.
NO_GATE["endpoint_deployment"] = {
    "strategy": "all_at_once",
    "config": None,
    "rollback_alarm_names": [],
    "watches_alarms": False,
    "update_max_polls": 120,
}

# Values Terraform's jsonencode escapes, a metric name with an @, a maximising comparison, fast polling.
ESCAPES: dict[str, Any] = copy.deepcopy(CHURN_XGBOOST)
ESCAPES.update(
    glue_job_name="escapes-etl",
    deployments_table_name="escapes-deployments",
    model_package_group_name="escapes",
    pipeline_name="escapes",
    events_source="mlops-pipeline.escapes",
    sagemaker_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/escapes-sagemaker",
)
ESCAPES["training"].update(
    hyperparameters={
        "objective": "reg:squarederror",
        "note": 'a<b && c>d "quoted" \\ backslash é ☃',
        "num_round": "7",
        "flag": "true",
    },
    instance_count=2,
)
ESCAPES["quality_gate"].update(metric_name="validation:ndcg@5", comparison="GreaterThanEquals", threshold=1)
ESCAPES["endpoint"].update(name="escapes-endpoint", poll_interval_seconds=1, max_polls=5)
ESCAPES["endpoint_deployment"]["update_max_polls"] = 7

# Production hardening (the module's `security` input and training.vpc / isolation): a KMS key for SageMaker,
# a VPC, network isolation and inter-container traffic encryption, a role under an IAM path.
HARDENED: dict[str, Any] = copy.deepcopy(CHURN_XGBOOST)
HARDENED.update(
    glue_job_name="hardened-etl",
    deployments_table_name="hardened-deployments",
    model_package_group_name="hardened",
    pipeline_name="hardened",
    events_source="mlops-pipeline.hardened",
    sagemaker_role_arn=f"arn:aws:iam::{ACCOUNT_ID}:role/mlops/hardened-sagemaker",
    sagemaker_kms_key_arn=f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
)
HARDENED["training"].update(
    vpc={
        "subnet_ids": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "security_group_ids": ["sg-0123456789abcdef0"],
    },
    enable_network_isolation=True,
    enable_inter_container_traffic_encryption=True,
    instance_count=2,
)
HARDENED["endpoint"].update(name="hardened-endpoint", instance_count=4)
HARDENED["endpoint_deployment"] = copy.deepcopy(CANARY_DEPLOYMENT)

# The module's `tuning` template value (modules/mlops_pipeline/tuning.tf) for the demo's gate
# (validation:error, LessThan: Minimize): eta, max_depth and gamma tuned, so they leave the static
# hyperparameters.
TUNING: dict[str, Any] = {
    "strategy": "Bayesian",
    "max_jobs": 6,
    "max_parallel_jobs": 2,
    "early_stopping": "Off",
    "objective_type": "Minimize",
    "parameter_ranges": {
        "ContinuousParameterRanges": [
            {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5", "ScalingType": "Logarithmic"}
        ],
        "IntegerParameterRanges": [
            {"Name": "max_depth", "MinValue": "2", "MaxValue": "8", "ScalingType": "Auto"}
        ],
        "CategoricalParameterRanges": [{"Name": "gamma", "Values": ["0", "4"]}],
    },
    "static_hyperparameters": {
        name: value
        for name, value in CHURN_XGBOOST["training"]["hyperparameters"].items()
        if name not in ("eta", "max_depth", "gamma")
    },
}

PIPELINES: dict[str, dict[str, Any]] = {
    "churn-xgboost": CHURN_XGBOOST,
    "no-gate": NO_GATE,
    "escapes": ESCAPES,
    "hardened": HARDENED,
}


def template_values(pipeline: str = "churn-xgboost", **overrides: Any) -> dict[str, Any]:
    """A pipeline's variables; an override of an object variable replaces only the fields it names."""
    values = copy.deepcopy(PIPELINES[pipeline])
    for name, value in overrides.items():
        if isinstance(value, dict) and isinstance(values.get(name), dict):
            values[name].update(value)
        else:
            values[name] = value
    return values
