"""IAM statements the SageMaker tests' roles share, and the session of a role a service assumes."""

from __future__ import annotations

import json
import uuid
from typing import Any

from localcloud.iam import role_sessions
from localcloud.iam.role_sessions import RoleSession

# What SageMaker needs to pull an algorithm image as the job's role (the tests' roles differ in S3 access).
ECR_PULL: dict[str, Any] = {
    "Effect": "Allow",
    "Action": [
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
    ],
    "Resource": "*",
}


def service_role_session(
    iam: Any, service: str, name_prefix: str, statements: list[dict[str, Any]]
) -> RoleSession:
    """A new role that `service` may assume and whose one inline policy holds `statements`, assumed by it."""
    name = f"{name_prefix}-{uuid.uuid4().hex[:8]}"
    trust = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    arn = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]})
    )["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=name,
        PolicyName="permissions",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    return role_sessions.assume_role_as_service(arn, service, name)
