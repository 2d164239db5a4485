"""Bucket policies are evaluated by the local cloud's IAM evaluator, not by moto's partial check.

moto checks a bucket policy on object requests with an evaluator that ignores `Condition`, so the
module's standard "deny unless TLS" statement (`Deny s3:*` when `aws:SecureTransport` is `false`)
denied every request, and a denial came back as an empty 403. Now:

- requests signed by a role session are authorized, bucket policy included, by `localcloud.iam`
  (`request_authorization`), with AWS's AccessDenied message;
- here, before that, moto asks whether the bucket policy explicitly denies the object request. It is
  answered by the same evaluator for the account's administrator (the test keys), with
  `aws:SecureTransport` true as from AWS's TLS endpoints: an explicit Deny that applies to every
  principal (or to the administrator) refuses the request with AWS's message, as it would on AWS.
"""

from __future__ import annotations

import json
from typing import Any

from moto.iam.access_control import PermissionResult
from moto.s3.models import FakeBucket

from localcloud import config, patching
from localcloud.iam.policy_evaluation import (
    AuthorizationRequest,
    NamedPolicy,
    PolicyEvaluationError,
    access_denied_message,
    evaluate,
)
from localcloud.iam.request_authorization import S3AccessDenied

ADMINISTRATOR_ARN = f"arn:aws:iam::{config.ACCOUNT_ID}:root"


# moto names the object action after the HTTP method; S3 authorizes HEAD as s3:GetObject.
_ACTION_OF_METHOD = {"s3:HeadObject": "s3:GetObject", "s3:PostObject": "s3:PutObject"}


def get_permission(self: FakeBucket, action: str, resource: str) -> Any:
    if self.policy is None:
        return PermissionResult.NEUTRAL
    request = AuthorizationRequest(
        principal_arn=ADMINISTRATOR_ARN,
        action=_ACTION_OF_METHOD.get(action, action),
        resource=resource,
        context={
            "aws:SecureTransport": True,
            "aws:PrincipalAccount": config.ACCOUNT_ID,
            "aws:PrincipalArn": ADMINISTRATOR_ARN,
        },
    )
    bucket_policy = NamedPolicy(f"bucket-policy/{self.name}", json.loads(self.policy))
    try:
        decision = evaluate(request, [], bucket_policy)
    except (PolicyEvaluationError, ValueError) as error:
        raise S3AccessDenied(f"the local cloud cannot evaluate the bucket policy: {error}") from error
    if decision.reason == "explicit_deny":
        raise S3AccessDenied(access_denied_message(request, decision))
    return PermissionResult.NEUTRAL


PATCHES = (
    # Replaced: moto's evaluation ignores conditions; nothing of it is kept (see the module docstring).
    patching.replace(
        __name__,
        FakeBucket,
        "get_permission",
        fingerprint="7571412a3495a0e3",
        replacement=get_permission,
    ),
)
