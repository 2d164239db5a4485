"""A role's permissions boundary caps what its policies allow, also for a cross-account resource."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from localcloud.iam import authorization, role_sessions
from localcloud.iam.policy_evaluation import NamedPolicy

REPOSITORY = "arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost"
PULL = "ecr:BatchGetImage"
# As the AWS-owned algorithm repositories' policy (localcloud/sagemaker/execution_role.py).
REPOSITORY_POLICY = NamedPolicy(
    "ecr-repository-policy/test",
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": PULL, "Resource": REPOSITORY}],
    },
)


def _document(actions: list[str]) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
    )


@pytest.fixture
def session_bounded_by(aws: Callable[[str], Any]) -> Callable[[list[str]], role_sessions.RoleSession]:
    def make(boundary_actions: list[str]) -> role_sessions.RoleSession:
        iam = aws("iam")
        name = f"boundary-test-{uuid.uuid4().hex[:8]}"
        boundary = iam.create_policy(PolicyName=name, PolicyDocument=_document(boundary_actions))["Policy"][
            "Arn"
        ]
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "sagemaker.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        arn = iam.create_role(
            RoleName=name,
            Path="/pipelines/",
            AssumeRolePolicyDocument=json.dumps(trust),
            PermissionsBoundary=boundary,
        )["Role"]["Arn"]
        iam.put_role_policy(
            RoleName=name, PolicyName="permissions", PolicyDocument=_document(["ecr:*", "s3:*"])
        )
        return role_sessions.assume_role_as_service(arn, "sagemaker.amazonaws.com", "SageMaker")

    return make


def test_a_cross_account_call_allowed_by_both_sides_and_the_boundary_is_allowed(
    session_bounded_by: Callable[[list[str]], role_sessions.RoleSession],
) -> None:
    session = session_bounded_by(["ecr:*"])
    authorization.authorize(session, PULL, [REPOSITORY], resource_policy=REPOSITORY_POLICY)


def test_the_boundary_denies_what_it_does_not_allow(
    session_bounded_by: Callable[[list[str]], role_sessions.RoleSession],
) -> None:
    session = session_bounded_by(["s3:GetObject"])
    with pytest.raises(authorization.AccessDenied) as denied:
        authorization.authorize(session, PULL, [REPOSITORY], resource_policy=REPOSITORY_POLICY)
    assert denied.value.message.endswith(f"because no permissions boundary allows the {PULL} action")
