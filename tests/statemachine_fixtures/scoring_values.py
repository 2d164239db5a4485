"""Explicit variables of the scoring state machine template (statemachine/scoring.asl.json.tftpl): what
modules/mlops_pipeline/scoring.tf passes for the demo pipeline with `scoring = { prefix = "score/" }`."""

from __future__ import annotations

import copy
from typing import Any

ACCOUNT_ID = "123456789012"
KMS_KEY_ARN = f"arn:aws:kms:us-east-1:{ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab"

SCORING_DEFAULTS: dict[str, Any] = {
    "prefix": "score/",
    "instance_type": "ml.m5.large",
    "instance_count": 1,
    "max_payload_mb": 6,
    "max_concurrent_transforms": None,
    "join_input": False,
    "invocations_timeout_seconds": None,
    "invocations_max_retries": None,
    "max_runtime_seconds": 3600,
}

CHURN_XGBOOST_SCORING: dict[str, Any] = {
    "endpoint_name": "churn-xgboost-endpoint",
    "model_package_group_name": "churn-xgboost",
    "sagemaker_role_arn": f"arn:aws:iam::{ACCOUNT_ID}:role/churn-xgboost-sagemaker",
    "sagemaker_kms_key_arn": None,
    "rows_function_arn": f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:churn-xgboost-scoring-rows",
    "rows_function_name": "churn-xgboost-scoring-rows",
    "scoring": SCORING_DEFAULTS,
    "model_network": {"vpc": None, "enable_network_isolation": False},
    "model_client_config": None,
}


def scoring_values(**changes: Any) -> dict[str, Any]:
    """The demo's values with top-level `changes`; a dict `scoring` change is merged into the defaults."""
    values = copy.deepcopy(CHURN_XGBOOST_SCORING)
    for name, value in changes.items():
        if name == "scoring":
            values["scoring"] = {**values["scoring"], **value}
        else:
            values[name] = value
    return values


SCORING_CASES: dict[str, dict[str, Any]] = {
    "defaults": scoring_values(),
    "everything": scoring_values(
        sagemaker_kms_key_arn=KMS_KEY_ARN,
        scoring={
            "instance_type": "ml.c5.xlarge",
            "instance_count": 2,
            "max_payload_mb": 10,
            "max_concurrent_transforms": 4,
            "join_input": True,
            "invocations_timeout_seconds": 120,
            "invocations_max_retries": 1,
            "max_runtime_seconds": 7200,
        },
        model_network={
            "vpc": {
                "subnet_ids": ["subnet-0123456789abcdef0"],
                "security_group_ids": ["sg-0123456789abcdef0"],
            },
            "enable_network_isolation": True,
        },
        model_client_config={"InvocationsTimeoutInSeconds": 120, "InvocationsMaxRetries": 1},
    ),
    "join-only": scoring_values(scoring={"join_input": True}),
    "client-retries-only": scoring_values(model_client_config={"InvocationsMaxRetries": 0}),
}
