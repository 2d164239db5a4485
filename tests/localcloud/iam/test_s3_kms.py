"""S3 calls KMS as the role for SSE-KMS objects: `kms:GenerateDataKey` to write, `kms:Decrypt` to read.

Through the HTTP hook (a role session's boto3 client) and SageMaker's in-process S3 access alike, against
the role's policies and the key's policy (`localcloud/iam/s3_kms.py`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from localcloud import config
from localcloud.iam import role_sessions
from localcloud.iam.role_sessions import RoleSession
from localcloud.sagemaker import s3_access

VIA_S3 = {"StringEquals": {"kms:ViaService": f"s3.{config.REGION}.amazonaws.com"}}


def _document(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _s3_statement(bucket: str) -> dict[str, Any]:
    return {
        "Sid": "Objects",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:PutObject"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }


def _kms_statement(key_arn: str, condition: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "Sid": "UseBucketKey",
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
        "Resource": key_arn,
        "Condition": condition or VIA_S3,
    }


@pytest.fixture
def session_with(aws: Callable[[str], Any]) -> Callable[..., RoleSession]:
    """A Glue role session whose one inline policy has the given statements."""

    def make(*statements: dict[str, Any]) -> RoleSession:
        trust = {
            "Effect": "Allow",
            "Principal": {"Service": "glue.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
        name = f"kms-test-{uuid.uuid4().hex[:8]}"
        iam = aws("iam")
        arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=_document(trust))["Role"]["Arn"]
        iam.put_role_policy(RoleName=name, PolicyName="permissions", PolicyDocument=_document(*statements))
        return role_sessions.assume_role_as_service(arn, "glue.amazonaws.com", "GlueJobRunnerSession")

    return make


@pytest.fixture
def key_arn(aws: Callable[[str], Any]) -> str:
    return aws("kms").create_key(Description="bucket key")["KeyMetadata"]["Arn"]


@pytest.fixture
def encrypted_bucket(aws: Callable[[str], Any], bucket: str, key_arn: str) -> str:
    """A bucket with SSE-KMS by default (the key, a bucket key) and one object written by an admin."""
    s3 = aws("s3")
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )
    s3.put_object(Bucket=bucket, Key="data/a.csv", Body=b"1,2\n")
    return bucket


def _denial(error: pytest.ExceptionInfo[ClientError]) -> str:
    assert error.value.response["Error"]["Code"] == "AccessDenied"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return error.value.response["Error"]["Message"]


def test_with_a_grant_through_s3_and_the_default_key_policy_reads_and_writes_succeed(
    aws: Callable[[str], Any], session_with: Callable[..., RoleSession], encrypted_bucket: str, key_arn: str
) -> None:
    s3 = session_with(_s3_statement(encrypted_bucket), _kms_statement(key_arn)).client("s3")

    assert s3.get_object(Bucket=encrypted_bucket, Key="data/a.csv")["Body"].read() == b"1,2\n"
    s3.put_object(Bucket=encrypted_bucket, Key="data/b.csv", Body=b"3,4\n")

    stored = aws("s3").head_object(Bucket=encrypted_bucket, Key="data/b.csv")
    assert stored["ServerSideEncryption"] == "aws:kms"
    assert stored["SSEKMSKeyId"] == key_arn
    assert stored["BucketKeyEnabled"] is True


def test_without_the_kms_grant_reads_and_writes_are_denied_naming_the_kms_action_and_the_key(
    session_with: Callable[..., RoleSession], encrypted_bucket: str, key_arn: str
) -> None:
    session = session_with(_s3_statement(encrypted_bucket))
    s3 = session.client("s3")

    with pytest.raises(ClientError) as denied_read:
        s3.get_object(Bucket=encrypted_bucket, Key="data/a.csv")
    assert _denial(denied_read) == (
        f'User: {session.arn} is not authorized to perform: kms:Decrypt on resource: "{key_arn}" '
        "because no identity-based policy allows the kms:Decrypt action"
    )
    with pytest.raises(ClientError) as denied_write:
        s3.put_object(Bucket=encrypted_bucket, Key="data/b.csv", Body=b"3,4\n")
    assert _denial(denied_write) == (
        f'User: {session.arn} is not authorized to perform: kms:GenerateDataKey on resource: "{key_arn}" '
        "because no identity-based policy allows the kms:GenerateDataKey action"
    )
    # HeadObject decrypts nothing: it needs no KMS permission.
    assert s3.head_object(Bucket=encrypted_bucket, Key="data/a.csv")["SSEKMSKeyId"] == key_arn


def test_a_grant_that_is_not_through_s3_does_not_apply(
    session_with: Callable[..., RoleSession], encrypted_bucket: str, key_arn: str
) -> None:
    via_sqs = {"StringEquals": {"kms:ViaService": f"sqs.{config.REGION}.amazonaws.com"}}
    s3 = session_with(_s3_statement(encrypted_bucket), _kms_statement(key_arn, via_sqs)).client("s3")
    with pytest.raises(ClientError, match="kms:Decrypt"):
        s3.get_object(Bucket=encrypted_bucket, Key="data/a.csv")


def test_an_explicit_deny_in_the_key_policy_wins_over_the_role_grant(
    aws: Callable[[str], Any], session_with: Callable[..., RoleSession], encrypted_bucket: str, key_arn: str
) -> None:
    session = session_with(_s3_statement(encrypted_bucket), _kms_statement(key_arn))
    aws("kms").put_key_policy(
        KeyId=key_arn,
        PolicyName="default",
        Policy=_document(
            {
                "Sid": "Enable IAM User Permissions",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{config.ACCOUNT_ID}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "NoDecryptForThisRole",
                "Effect": "Deny",
                "Principal": {"AWS": session.role_arn},
                "Action": "kms:Decrypt",
                "Resource": "*",
            },
        ),
    )
    s3 = session.client("s3")
    with pytest.raises(ClientError) as denied:
        s3.get_object(Bucket=encrypted_bucket, Key="data/a.csv")
    assert _denial(denied) == (
        f'User: {session.arn} is not authorized to perform: kms:Decrypt on resource: "{key_arn}" '
        "with an explicit deny in a resource-based policy"
    )
    s3.put_object(Bucket=encrypted_bucket, Key="data/b.csv", Body=b"3,4\n")  # GenerateDataKey is not denied


def test_the_key_policy_must_allow_an_iam_grant_takes_effect_only_through_the_account(
    aws: Callable[[str], Any], session_with: Callable[..., RoleSession], encrypted_bucket: str, key_arn: str
) -> None:
    granted = session_with(_s3_statement(encrypted_bucket), _kms_statement(key_arn))
    named = session_with(_s3_statement(encrypted_bucket))
    # No statement for the account: the role's IAM grant has no effect; a role named by the key policy
    # needs no IAM grant.
    aws("kms").put_key_policy(
        KeyId=key_arn,
        PolicyName="default",
        Policy=_document(
            {
                "Sid": "OnlyTheNamedRole",
                "Effect": "Allow",
                "Principal": {"AWS": named.role_arn},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": "*",
                "Condition": VIA_S3,
            }
        ),
    )
    with pytest.raises(ClientError) as denied:
        granted.client("s3").get_object(Bucket=encrypted_bucket, Key="data/a.csv")
    assert _denial(denied).endswith("because no resource-based policy allows the kms:Decrypt action")
    assert named.client("s3").get_object(Bucket=encrypted_bucket, Key="data/a.csv")["Body"].read() == b"1,2\n"


def test_the_request_key_is_checked_and_an_alias_resolves_to_the_key_arn(
    aws: Callable[[str], Any], session_with: Callable[..., RoleSession], bucket: str, key_arn: str
) -> None:
    other_key = aws("kms").create_key(Description="other")["KeyMetadata"]["Arn"]
    alias = f"alias/{bucket}"
    aws("kms").create_alias(AliasName=alias, TargetKeyId=other_key)
    s3 = session_with(_s3_statement(bucket), _kms_statement(key_arn)).client("s3")

    # The bucket has no default encryption: the request's key decides.
    s3.put_object(Bucket=bucket, Key="a", Body=b"a", ServerSideEncryption="aws:kms", SSEKMSKeyId=key_arn)
    with pytest.raises(ClientError) as denied:
        s3.put_object(Bucket=bucket, Key="b", Body=b"b", ServerSideEncryption="aws:kms", SSEKMSKeyId=alias)
    assert f'kms:GenerateDataKey on resource: "{other_key}"' in _denial(denied)


def test_an_unencrypted_bucket_needs_no_kms_permission(
    aws: Callable[[str], Any], session_with: Callable[..., RoleSession], bucket: str
) -> None:
    aws("s3").put_object(Bucket=bucket, Key="data/a.csv", Body=b"1,2\n")
    s3 = session_with(_s3_statement(bucket)).client("s3")
    assert s3.get_object(Bucket=bucket, Key="data/a.csv")["Body"].read() == b"1,2\n"
    s3.put_object(Bucket=bucket, Key="data/b.csv", Body=b"3,4\n")


def test_sagemakers_in_process_reads_and_writes_are_checked_too(
    aws: Callable[[str], Any], session_with: Callable[..., RoleSession], encrypted_bucket: str, key_arn: str
) -> None:
    account, region = config.ACCOUNT_ID, config.REGION
    uri = f"s3://{encrypted_bucket}/data/a.csv"
    denied = session_with(_s3_statement(encrypted_bucket))
    with pytest.raises(s3_access.S3AccessError, match=f'kms:Decrypt on resource: "{key_arn}"'):
        s3_access.read_object(account, region, uri, session=denied)
    with pytest.raises(s3_access.S3AccessError, match="kms:GenerateDataKey"):
        s3_access.write_object(account, region, f"s3://{encrypted_bucket}/m", b"m", session=denied)

    allowed = session_with(_s3_statement(encrypted_bucket), _kms_statement(key_arn))
    assert s3_access.read_object(account, region, uri, session=allowed) == b"1,2\n"
    # A job's OutputDataConfig.KmsKeyId: the artifact is written with that key, which the role must be
    # allowed to use.
    model_key = aws("kms").create_key(Description="model key")["KeyMetadata"]["Arn"]
    with pytest.raises(s3_access.S3AccessError, match=f'kms:GenerateDataKey on resource: "{model_key}"'):
        s3_access.write_object(
            account, region, f"s3://{encrypted_bucket}/m", b"m", session=allowed, kms_key_id=model_key
        )
    s3_access.write_object(account, region, f"s3://{encrypted_bucket}/m", b"m", session=allowed)
    assert aws("s3").head_object(Bucket=encrypted_bucket, Key="m")["SSEKMSKeyId"] == key_arn
