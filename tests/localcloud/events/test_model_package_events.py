"""SageMaker's "SageMaker Model Package State Change" events on the local cloud, and the pipeline's deploy
rule: a state machine started, as a role, when a version of the group is approved, not when registered."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from localcloud import config
from tests.localcloud.events.events_support import drained, make_queue, make_role, poll, receive

DETAIL_TYPE = "SageMaker Model Package State Change"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"


def _register(aws: Callable[[str], Any], group: str, status: str) -> str:
    return aws("sagemaker").create_model_package(
        ModelPackageGroupName=group,
        ModelPackageDescription="churn model",
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": f"s3://{group}/model.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        CustomerMetadataProperties={"validation_auc": "0.91"},
        ModelApprovalStatus=status,
    )["ModelPackageArn"]


def _all_events_queue(aws: Callable[[str], Any], name: str, group: str) -> str:
    events = aws("events")
    pattern = {
        "source": ["aws.sagemaker"],
        "detail-type": [DETAIL_TYPE],
        "detail": {"ModelPackageGroupName": [group]},
    }
    rule_arn = events.put_rule(Name=f"{name}-all", EventPattern=json.dumps(pattern))["RuleArn"]
    url, queue = make_queue(aws("sqs"), f"{name}-all", events_rule_arn=rule_arn, fifo=True)
    events.put_targets(
        Rule=f"{name}-all",
        Targets=[{"Id": "q", "Arn": queue, "SqsParameters": {"MessageGroupId": "packages"}}],
    )
    return url


def test_registering_approving_and_deleting_a_version_are_events(
    aws: Callable[[str], Any], unique_name: str
) -> None:
    sagemaker = aws("sagemaker")
    sagemaker.create_model_package_group(ModelPackageGroupName=unique_name)
    inbox = _all_events_queue(aws, unique_name, unique_name)

    arn = _register(aws, unique_name, "PendingManualApproval")
    sagemaker.update_model_package(
        ModelPackageArn=arn, ModelApprovalStatus="Approved", ApprovalDescription="AUC above the gate"
    )
    sagemaker.delete_model_package(ModelPackageName=arn)

    registered, approved, deleted = (json.loads(m["Body"]) for m in receive(aws("sqs"), inbox, 3))
    for event in (registered, approved, deleted):
        assert event["source"] == "aws.sagemaker"
        assert event["detail-type"] == DETAIL_TYPE
        assert event["resources"] == [arn]
        assert event["account"] == config.ACCOUNT_ID
    detail = registered["detail"]
    assert detail["ModelPackageGroupName"] == unique_name
    assert detail["ModelPackageName"] == unique_name
    assert detail["ModelPackageVersion"] == 1
    assert detail["ModelPackageArn"] == arn
    assert detail["ModelPackageDescription"] == "churn model"
    assert detail["ModelPackageStatus"] == "Completed"
    assert detail["ModelApprovalStatus"] == "PendingManualApproval"
    assert detail["CustomerMetadataProperties"] == {"validation_auc": "0.91"}
    assert detail["InferenceSpecification"]["Containers"][0]["Image"] == IMAGE
    assert isinstance(detail["CreationTime"], int)
    assert "LastModifiedTime" not in detail
    assert approved["detail"]["ModelApprovalStatus"] == "Approved"
    assert approved["detail"]["ApprovalDescription"] == "AUC above the gate"
    assert approved["detail"]["CreationTime"] == detail["CreationTime"]
    assert approved["detail"]["LastModifiedTime"] >= detail["CreationTime"]
    assert deleted["detail"]["ModelPackageStatus"] == "Deleting"


def test_the_deploy_rule_starts_the_state_machine_on_approval_only(
    aws: Callable[[str], Any], role_arn: str, unique_name: str
) -> None:
    sagemaker, sfn, events = aws("sagemaker"), aws("stepfunctions"), aws("events")
    group = unique_name
    sagemaker.create_model_package_group(ModelPackageGroupName=group)
    machine = sfn.create_state_machine(
        name=f"{unique_name}-deploy",
        definition=json.dumps({"StartAt": "Deploy", "States": {"Deploy": {"Type": "Pass", "End": True}}}),
        roleArn=role_arn,
    )["stateMachineArn"]
    target_role = make_role(
        aws("iam"),
        f"{unique_name}-events",
        "events.amazonaws.com",
        [{"Effect": "Allow", "Action": "states:StartExecution", "Resource": machine}],
    )
    pattern = {
        "source": ["aws.sagemaker"],
        "detail-type": [DETAIL_TYPE],
        "detail": {"ModelPackageGroupName": [group], "ModelApprovalStatus": ["Approved"]},
    }
    events.put_rule(Name=unique_name, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=unique_name, Targets=[{"Id": "deploy", "Arn": machine, "RoleArn": target_role}])

    arn = _register(aws, group, "PendingManualApproval")
    drained()
    assert sfn.list_executions(stateMachineArn=machine)["executions"] == []

    sagemaker.update_model_package(ModelPackageArn=arn, ModelApprovalStatus="Approved")

    [execution] = poll(lambda: sfn.list_executions(stateMachineArn=machine)["executions"], "the deployment")
    started = json.loads(sfn.describe_execution(executionArn=execution["executionArn"])["input"])
    assert started["detail-type"] == DETAIL_TYPE
    assert started["resources"] == [arn]
    assert started["detail"]["ModelPackageVersion"] == 1
    assert started["detail"]["ModelApprovalStatus"] == "Approved"
    drained()
    assert len(sfn.list_executions(stateMachineArn=machine)["executions"]) == 1
