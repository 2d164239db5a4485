"""A pipeline from its group's tags, and the message for a name that is not a pipeline."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from pipeline_cli.errors import CliError
from pipeline_cli.pipeline import (
    APPROVAL_MODE_TAG,
    ENDPOINT_TAG,
    STATE_MACHINE_TAG,
    closest_names,
    is_missing_group,
    not_found_message,
    pipeline_from_tags,
)

GROUP = "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn-xgboost"
STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:churn-xgboost-pipeline"
TAGS = {
    ENDPOINT_TAG: "churn-xgboost-endpoint",
    STATE_MACHINE_TAG: STATE_MACHINE,
    APPROVAL_MODE_TAG: "manual",
    "team": "risk",
}


def test_a_tagged_group() -> None:
    pipeline = pipeline_from_tags("churn-xgboost", "eu-west-1", GROUP, TAGS)

    assert (pipeline.name, pipeline.group_arn, pipeline.endpoint_name) == (
        "churn-xgboost",
        GROUP,
        "churn-xgboost-endpoint",
    )
    assert (pipeline.state_machine_arn, pipeline.approval_mode) == (STATE_MACHINE, "manual")


def test_missing_tags_are_named_with_what_to_do() -> None:
    tags = {APPROVAL_MODE_TAG: "auto", ENDPOINT_TAG: ""}

    with pytest.raises(CliError) as raised:
        pipeline_from_tags("churn-xgboost", "eu-west-1", GROUP, tags)

    assert str(raised.value).startswith(
        "pipeline churn-xgboost in eu-west-1: model package group churn-xgboost has no tag "
        "mlops-pipeline:endpoint-name, mlops-pipeline:state-machine-arn; it was deployed by an older version"
    )
    assert "terraform apply" in str(raised.value)


def test_an_unknown_approval_mode() -> None:
    with pytest.raises(
        CliError, match="tag mlops-pipeline:approval-mode is 'Manual', expected one of auto, manual"
    ):
        pipeline_from_tags("churn-xgboost", "eu-west-1", GROUP, TAGS | {APPROVAL_MODE_TAG: "Manual"})


def test_closest_names_best_first_and_some_even_when_none_is_close() -> None:
    names = ["fraud-model", "churn-xgboost", "churn-linear", "churn-xgboost-v2"]

    assert closest_names("churn-xgbost", names)[:2] == ["churn-xgboost", "churn-xgboost-v2"]
    assert len(closest_names("zzz", names)) == 3


def test_not_found_message() -> None:
    assert not_found_message("churn", "eu-west-1", []) == (
        "no pipeline named churn in eu-west-1: no model package group churn"
    )
    assert not_found_message("churn", "eu-west-1", ["churn-xgboost", "fraud"]) == (
        "no pipeline named churn in eu-west-1: no model package group churn "
        "(closest names: churn-xgboost, fraud)"
    )


def _client_error(code: str, message: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}}, "DescribeModelPackageGroup")


def test_which_errors_mean_the_group_does_not_exist() -> None:
    arn = "arn:aws:sagemaker:eu-west-1:123456789012:model-package-group/churn"
    assert is_missing_group(_client_error("ValidationException", f"ModelPackageGroup {arn} does not exist."))
    assert is_missing_group(_client_error("ResourceNotFound", "Model package group not found"))
    assert not is_missing_group(_client_error("ValidationException", "1 validation error detected"))
    assert not is_missing_group(_client_error("AccessDeniedException", "... does not exist ..."))
