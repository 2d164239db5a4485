"""moto's ASL interpreter with the local cloud's fixes: .sync tasks, SageMaker, JSONPath filters."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

FAILING_SCRIPT = "raise SystemExit('unused')"
GLUE_SCRIPT = """
import sys
class EtlInputError(Exception):
    pass
if "--fail" in sys.argv:
    raise EtlInputError("only 3 valid rows, at least 100 required")
"""


def _run(
    aws: Callable[[str], Any],
    wait_for: Callable[..., dict],
    role_arn: str,
    name: str,
    definition: dict,
    execution_input: dict | None = None,
) -> dict:
    sfn = aws("stepfunctions")
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role_arn)
    execution_arn = sfn.start_execution(
        stateMachineArn=machine["stateMachineArn"], input=json.dumps(execution_input or {})
    )["executionArn"]
    return wait_for(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda described: described["status"] != "RUNNING",
    )


def _failure(aws: Callable[[str], Any], execution: dict) -> dict:
    history = aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    return failed["executionFailedEventDetails"]


def test_filter_matching_nothing_gives_an_empty_list(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str
) -> None:
    definition = {
        "StartAt": "Pick",
        "States": {
            "Pick": {
                "Type": "Pass",
                "Parameters": {
                    "missing.$": "$.metrics[?(@.MetricName == 'validation:auc')].Value",
                    "present.$": "$.metrics[?(@.MetricName == 'validation:error')].Value",
                },
                "End": True,
            }
        },
    }
    metrics = {"metrics": [{"MetricName": "validation:error", "Value": 0.05}]}
    execution = _run(aws, wait_for, role_arn, unique_name, definition, metrics)
    assert execution["status"] == "SUCCEEDED"
    assert json.loads(execution["output"]) == {"missing": [], "present": [0.05]}


def test_missing_plain_field_is_still_a_runtime_error(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str
) -> None:
    definition = {
        "StartAt": "Pick",
        "States": {"Pick": {"Type": "Pass", "Parameters": {"x.$": "$.absent"}, "End": True}},
    }
    execution = _run(aws, wait_for, role_arn, unique_name, definition)
    assert execution["status"] == "FAILED"
    assert _failure(aws, execution)["error"] == "States.Runtime"


def test_an_aws_sdk_task_gets_an_objects_body_as_text(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str
) -> None:
    s3 = aws("s3")
    s3.create_bucket(Bucket=unique_name)
    s3.put_object(Bucket=unique_name, Key="manifest.json", Body=json.dumps({"rows": {"train": 8}}).encode())
    definition = {
        "StartAt": "Read",
        "States": {
            "Read": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:s3:getObject",
                "Parameters": {"Bucket": unique_name, "Key": "manifest.json"},
                "ResultSelector": {"document.$": "States.StringToJson($.Body)"},
                "End": True,
            }
        },
    }
    execution = _run(aws, wait_for, role_arn, unique_name, definition)
    assert execution["status"] == "SUCCEEDED", _failure(aws, execution)
    assert json.loads(execution["output"]) == {"document": {"rows": {"train": 8}}}


@pytest.fixture
def glue_job(aws: Callable[[str], Any], bucket: str, role_arn: str, unique_name: str) -> str:
    aws("s3").put_object(Bucket=bucket, Key="job.py", Body=GLUE_SCRIPT.encode())
    aws("glue").create_job(
        Name=unique_name,
        Role=role_arn,
        Command={"Name": "glueetl", "ScriptLocation": f"s3://{bucket}/job.py"},
    )
    return unique_name


def _glue_sync_definition(job: str) -> dict:
    return {
        "StartAt": "ETL",
        "States": {
            "ETL": {
                "Type": "Task",
                "Resource": "arn:aws:states:::glue:startJobRun.sync",
                "Parameters": {"JobName": job, "Arguments.$": "$.arguments"},
                "End": True,
            }
        },
    }


def test_glue_sync_task_waits_for_the_run_to_succeed(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, glue_job: str
) -> None:
    execution = _run(
        aws, wait_for, role_arn, glue_job, _glue_sync_definition(glue_job), {"arguments": {"--ok": "1"}}
    )
    assert execution["status"] == "SUCCEEDED"
    output = json.loads(execution["output"])
    assert output["JobRunState"] == "SUCCEEDED"
    assert output["JobName"] == glue_job


def test_glue_sync_task_fails_with_the_job_error_message(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, glue_job: str
) -> None:
    execution = _run(
        aws, wait_for, role_arn, glue_job, _glue_sync_definition(glue_job), {"arguments": {"--fail": "1"}}
    )
    assert execution["status"] == "FAILED"
    failure = _failure(aws, execution)
    assert failure["error"] == "States.TaskFailed"
    cause = json.loads(failure["cause"])
    assert cause["JobRunState"] == "FAILED"
    assert cause["ErrorMessage"] == "EtlInputError: only 3 valid rows, at least 100 required"
    assert isinstance(cause["StartedOn"], int)  # epoch milliseconds, as Step Functions renders them


def test_sagemaker_request_response_errors_are_named_as_on_aws(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str
) -> None:
    definition = {
        "StartAt": "Describe",
        "States": {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:sagemaker:describeEndpoint",
                "Parameters": {"EndpointName": "no-such-endpoint"},
                "Catch": [
                    {"ErrorEquals": ["States.ALL"], "ResultPath": "$.describe_error", "Next": "Create"}
                ],
                "Next": "Create",
            },
            "Create": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createEndpoint",
                "Parameters": {"EndpointName": "e1", "EndpointConfigName": "no-such-config"},
                "End": True,
            },
        },
    }
    execution = _run(aws, wait_for, role_arn, unique_name, definition)
    assert execution["status"] == "FAILED"
    failure = _failure(aws, execution)
    assert failure["error"] == "SageMaker.AmazonSageMakerException"
    assert "Service: AmazonSageMaker" in failure["cause"]
    history = aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    describe_failure = next(event for event in history if event["type"] == "TaskFailed")
    assert describe_failure["taskFailedEventDetails"]["error"].startswith("SageMaker.")


def test_sagemaker_create_model_request_response(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str
) -> None:
    definition = {
        "StartAt": "Model",
        "States": {
            "Model": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createModel",
                "Parameters": {
                    "ModelName": unique_name,
                    "ExecutionRoleArn": role_arn,
                    "PrimaryContainer": {
                        "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
                        "ModelDataUrl": "s3://bucket/model.tar.gz",
                    },
                },
                "End": True,
            }
        },
    }
    execution = _run(aws, wait_for, role_arn, unique_name, definition)
    assert execution["status"] == "SUCCEEDED", _failure(aws, execution)
    assert json.loads(execution["output"])["ModelArn"].endswith(f":model/{unique_name}")
    assert aws("sagemaker").describe_model(ModelName=unique_name)["ModelName"] == unique_name
