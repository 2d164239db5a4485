"""Lambda functions run their deployed package in a subprocess, for Invoke and S3 notifications."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable
from typing import Any

import pytest

HANDLER = textwrap.dedent(
    """
    import json, os
    from urllib.parse import unquote_plus
    import boto3

    def handler(event, context):
        print("got", json.dumps(event))
        if event.get("unserializable"):
            return {"when": object()}
        if event.get("fail"):
            raise ValueError(f"asked to fail: {event['fail']}")
        records = event.get("Records", [])
        if records:
            key = records[0]["s3"]["object"]["key"]
            assert key.startswith("input/"), key  # S3 keeps "/" unencoded in event keys
            key = unquote_plus(key)
            if "bad" in key:
                raise RuntimeError(f"cannot process {key}")
            # Proves boto3 inside the function reaches the local cloud.
            boto3.client("s3").put_object(Bucket=os.environ["BUCKET"], Key="seen/" + key, Body=b"1")
        return {"echo": event, "greeting": os.environ["GREETING"], "function": context.function_name}
    """
)


@pytest.fixture
def function_name(
    aws: Callable[[str], Any],
    zip_package: Callable[[dict[str, str]], bytes],
    role_arn: str,
    bucket: str,
    unique_name: str,
) -> str:
    aws("lambda").create_function(
        FunctionName=unique_name,
        Runtime="python3.11",
        Role=role_arn,
        Handler="app.main.handler",
        Code={"ZipFile": zip_package({"app/__init__.py": "", "app/main.py": HANDLER})},
        Environment={"Variables": {"GREETING": "hello", "BUCKET": bucket}},
        Timeout=30,
    )
    return unique_name


def test_invoke_runs_the_handler_with_the_function_environment(
    aws: Callable[[str], Any], function_name: str
) -> None:
    response = aws("lambda").invoke(FunctionName=function_name, Payload=json.dumps({"n": 1}).encode())
    assert "FunctionError" not in response
    assert json.loads(response["Payload"].read()) == {
        "echo": {"n": 1},
        "greeting": "hello",
        "function": function_name,
    }


def test_invoke_reports_an_uncaught_exception_as_aws_does(
    aws: Callable[[str], Any], function_name: str
) -> None:
    response = aws("lambda").invoke(FunctionName=function_name, Payload=b'{"fail": "now"}', LogType="Tail")
    assert response["FunctionError"] == "Unhandled"
    error = json.loads(response["Payload"].read())
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "asked to fail: now"
    assert error["stackTrace"]


def test_unserializable_result_is_a_marshal_error(aws: Callable[[str], Any], function_name: str) -> None:
    response = aws("lambda").invoke(FunctionName=function_name, Payload=b'{"unserializable": true}')
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "Runtime.MarshalError"


def test_invoke_logs_go_to_the_function_log_group(aws: Callable[[str], Any], function_name: str) -> None:
    aws("lambda").invoke(FunctionName=function_name, Payload=b'{"fail": "logged"}')
    logs = aws("logs")
    group = f"/aws/lambda/{function_name}"
    messages = [
        event["message"]
        for stream in logs.describe_log_streams(logGroupName=group)["logStreams"]
        for event in logs.get_log_events(logGroupName=group, logStreamName=stream["logStreamName"])["events"]
    ]
    assert any("ValueError: asked to fail: logged" in message for message in messages)


def test_s3_notification_invokes_the_function_asynchronously(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], function_name: str, bucket: str
) -> None:
    function_arn = aws("lambda").get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    aws("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {
                    "LambdaFunctionArn": function_arn,
                    "Events": ["s3:ObjectCreated:*"],
                    "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "input/"}]}},
                }
            ]
        },
    )
    aws("s3").put_object(Bucket=bucket, Key="input/churn data.csv", Body=b"1,2\n")
    listing = wait_for(
        lambda: aws("s3").list_objects_v2(Bucket=bucket, Prefix="seen/"),
        lambda listing: listing.get("KeyCount", 0) == 1,
        timeout=30,
    )
    assert [item["Key"] for item in listing["Contents"]] == ["seen/input/churn data.csv"]


def test_failed_async_invocation_goes_to_the_on_failure_queue(
    aws: Callable[[str], Any], wait_for: Callable[..., dict], function_name: str, bucket: str
) -> None:
    sqs = aws("sqs")
    queue_url = sqs.create_queue(QueueName=f"{function_name}-dlq")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    aws("lambda").put_function_event_invoke_config(
        FunctionName=function_name,
        MaximumRetryAttempts=0,
        DestinationConfig={"OnFailure": {"Destination": queue_arn}},
    )
    function_arn = aws("lambda").get_function(FunctionName=function_name)["Configuration"]["FunctionArn"]
    aws("s3").put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": function_arn, "Events": ["s3:ObjectCreated:*"]}
            ]
        },
    )
    aws("s3").put_object(Bucket=bucket, Key="input/bad.csv", Body=b"x")
    received = wait_for(
        lambda: sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=1),
        lambda response: bool(response.get("Messages")),
        timeout=30,
    )
    record = json.loads(received["Messages"][0]["Body"])
    assert record["requestContext"]["condition"] == "RetriesExhausted"
    assert record["responseContext"]["functionError"] == "Unhandled"
    assert record["responsePayload"]["errorMessage"] == "cannot process input/bad.csv"
    assert record["requestPayload"]["Records"][0]["s3"]["object"]["key"] == "input/bad.csv"
