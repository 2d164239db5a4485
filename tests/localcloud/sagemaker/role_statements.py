"""IAM statements the SageMaker tests' roles share."""

from __future__ import annotations

from typing import Any

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
