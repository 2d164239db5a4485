"""`sagemaker:createTrainingJob.sync`: the task waits for training and reports it as AWS does."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

import pytest

XGBOOST_IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"


def _csv_rows(count: int, seed: int) -> bytes:
    generator = random.Random(seed)
    lines = []
    for _ in range(count):
        features = [generator.random() for _ in range(3)]
        label = int(features[0] + 0.2 * generator.random() > 0.6)
        lines.append(",".join([str(label), *(f"{value:.4f}" for value in features)]))
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def channels(aws: Callable[[str], Any], bucket: str) -> str:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="etl/train/part-0.csv", Body=_csv_rows(80, seed=1))
    s3.put_object(Bucket=bucket, Key="etl/validation/part-0.csv", Body=_csv_rows(40, seed=2))
    return f"s3://{bucket}/etl/"


def _training_definition(job_name: str, image: str, channels: str, role_arn: str) -> dict:
    def channel(name: str) -> dict:
        source = {
            "S3DataType": "S3Prefix",
            "S3Uri": f"{channels}{name}/",
            "S3DataDistributionType": "FullyReplicated",
        }
        return {"ChannelName": name, "ContentType": "text/csv", "DataSource": {"S3DataSource": source}}

    return {
        "StartAt": "Train",
        "States": {
            "Train": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sagemaker:createTrainingJob.sync",
                "Parameters": {
                    "TrainingJobName": job_name,
                    "RoleArn": role_arn,
                    "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                    "HyperParameters": {
                        "objective": "binary:logistic",
                        "num_round": "5",
                        "eval_metric": "error",
                    },
                    "InputDataConfig": [channel("train"), channel("validation")],
                    "OutputDataConfig": {"S3OutputPath": channels.replace("/etl/", "/model/")},
                    "ResourceConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.large",
                        "VolumeSizeInGB": 5,
                    },
                    "StoppingCondition": {"MaxRuntimeInSeconds": 600},
                },
                "End": True,
            }
        },
    }


def _execute(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, name: str, definition: dict
) -> dict:
    sfn = aws("stepfunctions")
    machine = sfn.create_state_machine(name=name, definition=json.dumps(definition), roleArn=role_arn)
    execution_arn = sfn.start_execution(stateMachineArn=machine["stateMachineArn"], input="{}")[
        "executionArn"
    ]
    return wait_for(
        lambda: sfn.describe_execution(executionArn=execution_arn),
        lambda described: described["status"] != "RUNNING",
        timeout=120,
    )


def test_training_sync_outputs_the_final_description(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str, channels: str
) -> None:
    execution = _execute(
        aws,
        wait_for,
        role_arn,
        unique_name,
        _training_definition(unique_name, XGBOOST_IMAGE, channels, role_arn),
    )
    assert execution["status"] == "SUCCEEDED", execution
    output = json.loads(execution["output"])
    assert output["TrainingJobName"] == unique_name
    assert output["TrainingJobStatus"] == "Completed"
    assert isinstance(output["CreationTime"], int)  # epoch milliseconds, as Step Functions renders them


def test_training_sync_failure_is_a_task_failure_with_the_description(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str, channels: str
) -> None:
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/not-an-algorithm:1"
    execution = _execute(
        aws, wait_for, role_arn, unique_name, _training_definition(unique_name, image, channels, role_arn)
    )
    assert execution["status"] == "FAILED"
    history = aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    details = failed["executionFailedEventDetails"]
    assert details["error"] == "States.TaskFailed"
    cause = json.loads(details["cause"])
    assert cause["TrainingJobStatus"] == "Failed"
    assert "not-an-algorithm" in cause["FailureReason"]


def test_training_sync_without_the_managed_rule_grants_fails_as_on_aws(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], role_arn: str, unique_name: str, channels: str
) -> None:
    """createTrainingJob.sync needs the execution role to manage Step Functions' EventBridge rule."""
    iam = aws("iam")
    states_role = f"{unique_name}-states"
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    no_events = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "NotAction": "events:*", "Resource": "*"},
        ],
    }
    states_role_arn = iam.create_role(RoleName=states_role, AssumeRolePolicyDocument=json.dumps(trust))[
        "Role"
    ]["Arn"]
    iam.put_role_policy(
        RoleName=states_role, PolicyName="all-but-events", PolicyDocument=json.dumps(no_events)
    )
    execution = _execute(
        aws,
        wait_for,
        states_role_arn,
        unique_name,
        _training_definition(unique_name, XGBOOST_IMAGE, channels, role_arn),
    )
    assert execution["status"] == "FAILED"
    history = aws("stepfunctions").get_execution_history(executionArn=execution["executionArn"])["events"]
    [failed] = [event for event in history if event["type"] == "ExecutionFailed"]
    cause = failed["executionFailedEventDetails"]["cause"]
    assert f"'{states_role_arn}' is not authorized to create managed-rule." in cause
    assert "events:PutTargets on resource: " in cause
    assert "rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule" in cause
