"""Which action, resources and condition keys a request is authorized with (no server needed)."""

from __future__ import annotations

import pytest

from localcloud.iam import api_calls
from localcloud.iam.service_reference import UnknownAuthorization, fill_arn, required_resource_arns

ACCOUNT = "123456789012"
REGION = "us-east-1"


def json_calls(signing_name: str, operation: str, **parameters: object) -> list[api_calls.ApiCall]:
    return api_calls.json_api_calls(signing_name, operation, parameters, region=REGION, account=ACCOUNT)


def test_create_endpoint_is_authorized_on_the_endpoint_and_its_config_with_lowercased_names() -> None:
    [call] = json_calls(
        "sagemaker", "CreateEndpoint", EndpointName="Churn-Endpoint", EndpointConfigName="Cfg-1"
    )
    assert call.action == "sagemaker:CreateEndpoint"
    assert call.resources == (
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/churn-endpoint",
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/cfg-1",
    )


def test_tags_on_create_need_add_tags_on_the_new_resource_only() -> None:
    calls = json_calls(
        "sagemaker",
        "CreateEndpoint",
        EndpointName="e",
        EndpointConfigName="c",
        Tags=[{"Key": "team", "Value": "ml"}],
    )
    add_tags = [call for call in calls if call.action == "sagemaker:AddTags"]
    assert [call.resources for call in add_tags] == [
        (
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/e",
            f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/c",
        )
    ]
    assert add_tags[0].context["aws:TagKeys"] == ["team"]
    assert add_tags[0].context["aws:RequestTag/team"] == "ml"
    assert all(
        call.action != "sagemaker:AddTags" for call in json_calls("sagemaker", "CreateModel", ModelName="m")
    )


def test_passing_a_role_needs_pass_role_to_the_calling_service() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/churn-sagemaker"
    calls = json_calls("sagemaker", "CreateTrainingJob", TrainingJobName="churn--run-1", RoleArn=role)
    assert [call.action for call in calls] == ["sagemaker:CreateTrainingJob", "iam:PassRole"]
    pass_role = calls[1]
    assert pass_role.resources == (role,)
    assert pass_role.context == {
        "iam:PassedToService": "sagemaker.amazonaws.com",
        "iam:AssociatedResourceArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/churn--run-1",
    }
    model_calls = json_calls("sagemaker", "CreateModel", ModelName="m", ExecutionRoleArn=role)
    assert [call.action for call in model_calls] == ["sagemaker:CreateModel", "iam:PassRole"]


@pytest.mark.parametrize(
    ("signing_name", "operation", "parameters", "action", "resource"),
    [
        (
            "states",
            "StartExecution",
            {"stateMachineArn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:churn-pipeline"},
            "states:StartExecution",
            f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:churn-pipeline",
        ),
        (
            "sqs",
            "SendMessage",
            {"QueueUrl": f"http://127.0.0.1:4566/{ACCOUNT}/churn-failures", "MessageBody": "x"},
            "sqs:SendMessage",
            f"arn:aws:sqs:{REGION}:{ACCOUNT}:churn-failures",
        ),
        (
            "sqs",
            "SendMessageBatch",
            {"QueueUrl": f"http://127.0.0.1:4566/{ACCOUNT}/q", "Entries": []},
            "sqs:SendMessage",
            f"arn:aws:sqs:{REGION}:{ACCOUNT}:q",
        ),
        (
            "glue",
            "GetJobRun",
            {"JobName": "churn-etl", "RunId": "jr_1"},
            "glue:GetJobRun",
            f"arn:aws:glue:{REGION}:{ACCOUNT}:job/churn-etl",
        ),
        ("sagemaker", "ListEndpoints", {}, "sagemaker:ListEndpoints", "*"),
        ("monitoring", "PutMetricData", {"Namespace": "x"}, "cloudwatch:PutMetricData", "*"),
        (
            "logs",
            "PutLogEvents",
            {"logGroupName": "/aws/lambda/f", "logStreamName": "s"},
            "logs:PutLogEvents",
            f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:/aws/lambda/f:log-stream:s",
        ),
        # Invoke is authorized as lambda:InvokeFunction, by function name or ARN (the path's).
        (
            "lambda",
            "Invoke",
            {"FunctionName": "f"},
            "lambda:InvokeFunction",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        ),
        (
            "lambda",
            "Invoke",
            {"FunctionName": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"},
            "lambda:InvokeFunction",
            f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:f",
        ),
    ],
)
def test_resources_follow_the_service_authorization_reference(
    signing_name: str, operation: str, parameters: dict, action: str, resource: str
) -> None:
    [call] = json_calls(signing_name, operation, **parameters)
    assert (call.action, call.resources) == (action, (resource,))


def test_an_action_the_reference_does_not_know_fails_closed() -> None:
    with pytest.raises(UnknownAuthorization, match="no action sagemaker:CreateTrainingJobs"):
        json_calls("sagemaker", "CreateTrainingJobs", TrainingJobName="x")


def test_a_required_resource_the_request_cannot_name_fails_closed() -> None:
    with pytest.raises(UnknownAuthorization, match=r"training-job.*does not give TrainingJobName"):
        json_calls("sagemaker", "DescribeTrainingJob")


def test_fill_arn_needs_every_placeholder() -> None:
    assert (
        fill_arn("arn:${Partition}:s3:::${BucketName}", {"partition": "aws", "BUCKETNAME": "b"})
        == "arn:aws:s3:::b"
    )
    assert (
        fill_arn("arn:${Partition}:s3:::${BucketName}/${ObjectName}", {"Partition": "aws", "BucketName": "b"})
        is None
    )


def test_optional_resource_types_use_the_one_the_request_names() -> None:
    # s3:GetObject may be on an access point object or a bucket object: a bucket request is the latter.
    arns = required_resource_arns(
        "s3:GetObject", {"BucketName": "b", "ObjectName": "k/x.csv"}, partition="aws", region="", account=""
    )
    assert arns == ("arn:aws:s3:::b/k/x.csv",)


def test_s3_listing_carries_the_prefix_as_s3_prefix() -> None:
    [call] = api_calls.s3_api_calls(
        "ListObjectsV2", "b", None, {"prefix": ["runs/r1/"], "list-type": ["2"]}, {}
    )
    assert (call.action, call.resources, dict(call.context)) == (
        "s3:ListBucket",
        ("arn:aws:s3:::b",),
        {"s3:prefix": "runs/r1/"},
    )
    [without_prefix] = api_calls.s3_api_calls("ListObjectsV2", "b", None, {"list-type": ["2"]}, {})
    assert "s3:prefix" not in without_prefix.context


def test_s3_object_operations() -> None:
    [head] = api_calls.s3_api_calls("GetObject", "b", "input/a.csv", {}, {})
    assert (head.action, head.resources) == ("s3:GetObject", ("arn:aws:s3:::b/input/a.csv",))
    [put] = api_calls.s3_api_calls(
        "PutObject",
        "b",
        "runs/x",
        {},
        {"X-Amz-Server-Side-Encryption": "aws:kms", "Content-Type": "text/csv"},
    )
    assert put.context == {"s3:x-amz-server-side-encryption": "aws:kms"}


def test_an_s3_operation_without_a_known_action_fails_closed() -> None:
    with pytest.raises(UnknownAuthorization, match="S3 operation PutBucketPolicy"):
        api_calls.s3_api_calls("PutBucketPolicy", "b", None, {}, {})


def test_an_arn_valued_parameter_names_the_resource() -> None:
    tagged = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/churn-endpoint"
    [call] = json_calls("sagemaker", "AddTags", ResourceArn=tagged, Tags=[{"Key": "k", "Value": "v"}])
    assert call.resources == (tagged,)
    topic = f"arn:aws:sns:{REGION}:{ACCOUNT}:churn-alerts"
    [publish] = json_calls("sns", "Publish", TopicArn=topic, Message="m")
    assert publish.resources == (topic,)


def test_event_rules_are_named_by_name_or_rule() -> None:
    rule = f"arn:aws:events:{REGION}:{ACCOUNT}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"
    [put_rule] = json_calls("events", "PutRule", Name="StepFunctionsGetEventsForSageMakerTrainingJobsRule")
    [put_targets] = json_calls(
        "events", "PutTargets", Rule="StepFunctionsGetEventsForSageMakerTrainingJobsRule"
    )
    assert put_rule.resources == put_targets.resources == (rule,)


def test_a_request_naming_no_readable_resource_fails_closed_instead_of_star() -> None:
    with pytest.raises(UnknownAuthorization, match="names none the local cloud can read"):
        json_calls("sagemaker", "AddTags", ResourceArn="not-an-arn", Tags=[])


def test_tags_are_condition_keys_of_the_create_call_itself() -> None:
    [create, add_tags] = json_calls(
        "sagemaker", "CreateModel", ModelName="m", Tags=[{"Key": "team", "Value": "ml"}]
    )
    assert create.context["aws:RequestTag/team"] == "ml" and add_tags.action == "sagemaker:AddTags"


def test_copy_object_also_reads_its_source() -> None:
    calls = api_calls.s3_api_calls(
        "PutObject", "b", "copy.csv", {}, {"x-amz-copy-source": "/src/dir/a%20b.csv"}
    )
    assert [(call.action, call.resources) for call in calls] == [
        ("s3:PutObject", ("arn:aws:s3:::b/copy.csv",)),
        ("s3:GetObject", ("arn:aws:s3:::src/dir/a b.csv",)),
    ]


def test_describe_alarms_is_authorized_on_each_named_alarm_and_on_all_without_names() -> None:
    (named,) = api_calls.json_api_calls(
        "monitoring",
        "DescribeAlarms",
        {"AlarmNames": ["a-4xx", "a-5xx"]},
        region="us-east-1",
        account=ACCOUNT,
    )
    assert named.action == "cloudwatch:DescribeAlarms"
    assert named.resources == (
        f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:a-4xx",
        f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:a-5xx",
    )
    (every,) = api_calls.json_api_calls(
        "monitoring", "DescribeAlarms", {}, region="us-east-1", account=ACCOUNT
    )
    assert every.resources == (f"arn:aws:cloudwatch:us-east-1:{ACCOUNT}:alarm:*",)
