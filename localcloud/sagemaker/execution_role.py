"""SageMaker works with the role passed to it (CreateTrainingJob's RoleArn, CreateModel's ExecutionRoleArn).

The local training runner and endpoint hosting assume that role as `sagemaker.amazonaws.com` (with
`aws:SourceAccount` and the job or endpoint as `aws:SourceArn`) and authorize, as the role, what
SageMaker does with it on AWS: pull the algorithm image from ECR, read channels and model data and
write model artifacts in S3 (`s3_access`), and write logs and metrics. Log and metric writes are only
recorded: AWS drops them, without failing the job, when the role may not make them.
"""

from __future__ import annotations

from localcloud import config
from localcloud.iam import authorization, role_sessions
from localcloud.iam.policy_evaluation import NamedPolicy
from localcloud.iam.role_sessions import RoleSession
from localcloud.sagemaker.images import XGBoostImage

SERVICE_PRINCIPAL = "sagemaker.amazonaws.com"
_IMAGE_PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
# The built-in algorithm images live in AWS-owned accounts, whose repository policies let any principal
# pull; the role's own policy must still allow the pull (a cross-account request needs both sides).
_AWS_OWNED_REPOSITORY_POLICY = NamedPolicy(
    "ecr-repository-policy/sagemaker-xgboost (AWS-owned)",
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AnyPrincipalMayPull",
                "Effect": "Allow",
                "Principal": "*",
                "Action": list(_IMAGE_PULL_ACTIONS),
                # ECR repository policies name no Resource (it is the repository); the evaluator needs one.
                "Resource": "arn:aws:ecr:*:*:repository/sagemaker-xgboost",
            }
        ],
    },
)


class ImagePullDenied(Exception):
    """The role may not pull the image; the message is AWS's AccessDenied message."""


def session_for(role_arn: str, source_arn: str) -> RoleSession:
    """The role's session for one job or endpoint; raises RoleAssumptionDenied when it cannot be assumed."""
    return role_sessions.assume_role_as_service(
        role_arn,
        SERVICE_PRINCIPAL,
        session_name="SageMaker",
        source_account=config.ACCOUNT_ID,
        source_arn=source_arn,
    )


def authorize_image_pull(session: RoleSession, image: XGBoostImage) -> None:
    try:
        authorization.authorize(session, "ecr:GetAuthorizationToken", ["*"])
        for action in _IMAGE_PULL_ACTIONS:
            authorization.authorize(
                session, action, [image.repository_arn], resource_policy=_AWS_OWNED_REPOSITORY_POLICY
            )
    except authorization.AccessDenied as denied:
        raise ImagePullDenied(denied.message) from denied


def record_log_writes(session: RoleSession, log_group: str, log_stream: str) -> None:
    group_arn = f"arn:aws:logs:{config.REGION}:{config.ACCOUNT_ID}:log-group:{log_group}"
    authorization.authorize(session, "logs:CreateLogGroup", [group_arn], deny_raises=False)
    stream_arn = f"{group_arn}:log-stream:{log_stream}"
    for action in ("logs:CreateLogStream", "logs:PutLogEvents"):
        authorization.authorize(session, action, [stream_arn], deny_raises=False)


def record_metric_writes(session: RoleSession, namespace: str) -> None:
    authorization.authorize(
        session, "cloudwatch:PutMetricData", ["*"], {"cloudwatch:namespace": namespace}, deny_raises=False
    )
