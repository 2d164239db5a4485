"""The local cloud authorizes a role session's requests as AWS would, and leaves admin requests alone."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import config
from localcloud.iam import access_log, authorization, role_sessions

ACCOUNT = config.ACCOUNT_ID


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


@pytest.fixture
def make_role(aws: Callable[[str], Any]) -> Callable[..., str]:
    def make(policy: str, service: str = "glue.amazonaws.com", trust_condition: dict | None = None) -> str:
        trust_statement: dict[str, Any] = {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": "sts:AssumeRole",
        }
        if trust_condition:
            trust_statement["Condition"] = trust_condition
        name = f"iam-test-{uuid.uuid4().hex[:8]}"
        iam = aws("iam")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_document(trust_statement))["Role"][
            "Arn"
        ]
        iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=policy)
        return arn

    return make


@pytest.fixture
def glue_bucket(aws: Callable[[str], Any], bucket: str) -> str:
    s3 = aws("s3")
    s3.put_object(Bucket=bucket, Key="input/a.csv", Body=b"1,2\n")
    s3.put_object(Bucket=bucket, Key="models/m.tar.gz", Body=b"model")
    return bucket


def _glue_policy(bucket: str) -> str:
    return _document(
        {
            "Sid": "ReadInput",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/input/*",
        },
        {
            "Sid": "ListInput",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": f"arn:aws:s3:::{bucket}",
            "Condition": {"StringLike": {"s3:prefix": ["input/*"]}},
        },
    )


def test_a_role_session_may_do_what_its_policy_allows_and_nothing_else(
    make_role: Callable[..., str], glue_bucket: str
) -> None:
    role_arn = make_role(_glue_policy(glue_bucket))
    session = role_sessions.assume_role_as_service(role_arn, "glue.amazonaws.com", "GlueJobRunnerSession")
    s3 = session.client("s3")

    assert s3.get_object(Bucket=glue_bucket, Key="input/a.csv")["Body"].read() == b"1,2\n"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=glue_bucket, Prefix="input/")["Contents"]] == [
        "input/a.csv"
    ]

    with pytest.raises(ClientError) as denied_read:
        s3.get_object(Bucket=glue_bucket, Key="models/m.tar.gz")
    error = denied_read.value.response["Error"]
    assert error["Code"] == "AccessDenied"
    assert denied_read.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Message"] == (
        f"User: {session.arn} is not authorized to perform: s3:GetObject on resource: "
        f'"arn:aws:s3:::{glue_bucket}/models/m.tar.gz" '
        "because no identity-based policy allows the s3:GetObject action"
    )

    # s3:prefix as S3 evaluates it: the listing's prefix must match the condition.
    with pytest.raises(ClientError, match="s3:ListBucket"):
        s3.list_objects_v2(Bucket=glue_bucket, Prefix="models/")
    with pytest.raises(ClientError, match="s3:ListBucket"):
        s3.list_objects_v2(Bucket=glue_bucket)


def test_admin_requests_are_not_authorized_against_any_role(
    aws: Callable[[str], Any], glue_bucket: str
) -> None:
    assert aws("s3").get_object(Bucket=glue_bucket, Key="models/m.tar.gz")["Body"].read() == b"model"


def test_an_explicit_deny_in_the_bucket_policy_wins_over_the_role_allow(
    aws: Callable[[str], Any], make_role: Callable[..., str], glue_bucket: str
) -> None:
    role_arn = make_role(_glue_policy(glue_bucket))
    aws("s3").put_bucket_policy(
        Bucket=glue_bucket,
        Policy=_document(
            {
                "Sid": "NoGlueReads",
                "Effect": "Deny",
                "Principal": {"AWS": role_arn},
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{glue_bucket}/input/*",
            }
        ),
    )
    session = role_sessions.assume_role_as_service(role_arn, "glue.amazonaws.com", "GlueJobRunnerSession")
    with pytest.raises(ClientError, match="with an explicit deny in a resource-based policy"):
        session.client("s3").get_object(Bucket=glue_bucket, Key="input/a.csv")


def test_json_services_answer_access_denied_exception_naming_the_state_machine(
    make_role: Callable[..., str],
) -> None:
    allowed_machine = f"arn:aws:states:{config.REGION}:{ACCOUNT}:stateMachine:allowed"
    role_arn = make_role(
        _document({"Effect": "Allow", "Action": "states:StartExecution", "Resource": allowed_machine}),
        service="lambda.amazonaws.com",
    )
    session = role_sessions.assume_role_as_service(role_arn, "lambda.amazonaws.com", "trigger")
    other_machine = f"arn:aws:states:{config.REGION}:{ACCOUNT}:stateMachine:other"
    with pytest.raises(ClientError) as denied:
        session.client("stepfunctions").start_execution(stateMachineArn=other_machine, input="{}")
    assert denied.value.response["Error"]["Code"] == "AccessDeniedException"
    assert (
        f'states:StartExecution on resource: "{other_machine}"' in denied.value.response["Error"]["Message"]
    )


def test_the_trust_policy_decides_which_service_may_assume_the_role(make_role: Callable[..., str]) -> None:
    role_arn = make_role(
        _document({"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}),
        service="sagemaker.amazonaws.com",
        trust_condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}},
    )
    with pytest.raises(role_sessions.RoleAssumptionDenied, match=r"glue\.amazonaws\.com cannot assume role"):
        role_sessions.assume_role_as_service(role_arn, "glue.amazonaws.com", "s", source_account=ACCOUNT)
    with pytest.raises(role_sessions.RoleAssumptionDenied):
        role_sessions.assume_role_as_service(
            role_arn, "sagemaker.amazonaws.com", "s", source_account="999999999999"
        )
    session = role_sessions.assume_role_as_service(
        role_arn, "sagemaker.amazonaws.com", "s", source_account=ACCOUNT
    )
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role_arn.rsplit('/', 1)[1]}/s"


def test_pass_role_is_checked_with_the_service_it_is_passed_to(make_role: Callable[..., str]) -> None:
    sagemaker_role = make_role(_document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}))
    name = f"job-{uuid.uuid4().hex[:6]}"
    states_role = make_role(
        _document(
            {"Effect": "Allow", "Action": "sagemaker:CreateModel", "Resource": "*"},
            {
                "Sid": "PassToGlueOnly",
                "Effect": "Allow",
                "Action": "iam:PassRole",
                "Resource": sagemaker_role,
                "Condition": {"StringEquals": {"iam:PassedToService": "glue.amazonaws.com"}},
            },
        ),
        service="states.amazonaws.com",
    )
    session = role_sessions.assume_role_as_service(states_role, "states.amazonaws.com", "sfn")
    with pytest.raises(ClientError) as denied:
        session.client("sagemaker").create_model(
            ModelName=name,
            ExecutionRoleArn=sagemaker_role,
            PrimaryContainer={
                "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
            },
        )
    assert f'iam:PassRole on resource: "{sagemaker_role}"' in denied.value.response["Error"]["Message"]


def test_with_enforcement_off_denials_are_recorded_but_let_through(
    make_role: Callable[..., str], glue_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    role_arn = make_role(_glue_policy(glue_bucket))
    session = role_sessions.assume_role_as_service(role_arn, "glue.amazonaws.com", "GlueJobRunnerSession")
    monkeypatch.setenv(authorization.ENFORCEMENT_ENV_VAR, "off")
    assert (
        session.client("s3").get_object(Bucket=glue_bucket, Key="models/m.tar.gz")["Body"].read() == b"model"
    )
    decisions = [
        entry for entry in access_log.read() if entry["kind"] == "decision" and entry["role_arn"] == role_arn
    ]
    assert {
        (entry["action"], entry["resource"], entry["allowed"])
        for entry in decisions
        if entry["action"] != "sts:AssumeRole"
    } == {("s3:GetObject", f"arn:aws:s3:::{glue_bucket}/models/m.tar.gz", False)}


def test_a_presigned_url_of_a_role_session_is_authorized_as_the_role(
    make_role: Callable[..., str], glue_bucket: str
) -> None:
    import urllib.error
    import urllib.request

    role_arn = make_role(_glue_policy(glue_bucket))
    session = role_sessions.assume_role_as_service(role_arn, "glue.amazonaws.com", "GlueJobRunnerSession")
    s3 = session.client("s3")
    allowed = s3.generate_presigned_url("get_object", Params={"Bucket": glue_bucket, "Key": "input/a.csv"})
    with urllib.request.urlopen(allowed) as response:
        assert response.read() == b"1,2\n"
    denied = s3.generate_presigned_url("get_object", Params={"Bucket": glue_bucket, "Key": "models/m.tar.gz"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(denied)
    assert refused.value.code == 403
    assert b"s3:GetObject" in refused.value.read()


def test_query_protocol_services_answer_access_denied_in_xml(
    aws: Callable[[str], Any], make_role: Callable[..., str]
) -> None:
    topic = aws("sns").create_topic(Name=f"t-{uuid.uuid4().hex[:6]}")["TopicArn"]
    role_arn = make_role(
        _document({"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}),
        service="lambda.amazonaws.com",
    )
    session = role_sessions.assume_role_as_service(role_arn, "lambda.amazonaws.com", "f")
    sns = session.client("sns")
    assert sns.publish(TopicArn=topic, Message="allowed")["MessageId"]
    other = aws("sns").create_topic(Name=f"t-{uuid.uuid4().hex[:6]}")["TopicArn"]
    with pytest.raises(ClientError) as denied:
        sns.publish(TopicArn=other, Message="denied")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"
    assert f'sns:Publish on resource: "{other}"' in denied.value.response["Error"]["Message"]


def test_an_endpoint_whose_role_may_not_read_the_model_fails_with_access_denied(
    aws: Callable[[str], Any], make_role: Callable[..., str], bucket: str
) -> None:
    pull_only = _document(
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": "arn:aws:ecr:*:*:repository/sagemaker-xgboost",
        },
    )
    role_arn = make_role(pull_only, service="sagemaker.amazonaws.com")
    aws("s3").put_object(Bucket=bucket, Key="model/model.tar.gz", Body=b"not read")
    sagemaker = aws("sagemaker")
    name = f"denied-{uuid.uuid4().hex[:6]}"
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=role_arn,
        PrimaryContainer={
            "Image": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5",
            "ModelDataUrl": f"s3://{bucket}/model/model.tar.gz",
        },
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "ModelName": name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
        ],
    )
    sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=name)
    deadline = time.monotonic() + 30
    while (endpoint := sagemaker.describe_endpoint(EndpointName=name))["EndpointStatus"] == "Creating":
        assert time.monotonic() < deadline, "endpoint still Creating after 30 s"
        time.sleep(0.1)
    assert endpoint["EndpointStatus"] == "Failed"
    reason = endpoint["FailureReason"]
    assert f"assumed-role/{role_arn.rsplit('/', 1)[1]}/SageMaker" in reason
    assert f'perform: s3:GetObject on resource: "arn:aws:s3:::{bucket}/model/model.tar.gz"' in reason
