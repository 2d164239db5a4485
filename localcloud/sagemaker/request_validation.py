"""Server-side checks SageMaker applies to a CreateTrainingJob request, with AWS's messages.

botocore already checks required members and types on the client; these are the constraints only
the service enforces (name patterns, lengths, ARNs, URIs, channel names).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from moto.sagemaker.exceptions import ValidationError

JOB_NAME_PATTERN = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
ROLE_ARN_PATTERN = r"^arn:aws[a-z\-]*:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$"
CHANNEL_NAME_PATTERN = r"[A-Za-z0-9\.\-_]+"
S3_URI_PATTERN = r"^(https|s3)://([^/]+)/?(.*)$"


def _constraint(value: Any, path: str, constraint: str) -> str:
    return f"Value '{value}' at '{path}' failed to satisfy constraint: {constraint}"


def _pattern(value: str, path: str, pattern: str) -> str | None:
    # AWS matches these patterns against the whole value.
    if re.fullmatch(pattern.lstrip("^").rstrip("$"), value) is None:
        return _constraint(value, path, f"Member must satisfy regular expression pattern: {pattern}")
    return None


def _max_length(value: str, path: str, limit: int) -> str | None:
    if len(value) > limit:
        return _constraint(value, path, f"Member must have length less than or equal to {limit}")
    return None


def validate_create_training_job(
    name: str,
    role_arn: str,
    algorithm_specification: Mapping[str, Any],
    input_data_config: list[Mapping[str, Any]] | None,
    output_data_config: Mapping[str, Any],
    hyper_parameters: Mapping[str, str] | None,
) -> None:
    """Raise ValidationException listing every violated constraint, as AWS does."""
    errors: list[str | None] = [
        _max_length(name, "trainingJobName", 63),
        _pattern(name, "trainingJobName", JOB_NAME_PATTERN),
        _max_length(role_arn, "roleArn", 2048),
        _pattern(role_arn, "roleArn", ROLE_ARN_PATTERN),
        _pattern(output_data_config.get("S3OutputPath", ""), "outputDataConfig.s3OutputPath", S3_URI_PATTERN),
    ]
    if not algorithm_specification.get("TrainingImage") and not algorithm_specification.get("AlgorithmName"):
        errors.append("Either TrainingImage or AlgorithmName must be specified in AlgorithmSpecification.")
    seen_channels: set[str] = set()
    for index, channel in enumerate(input_data_config or [], start=1):
        channel_name = channel.get("ChannelName", "")
        errors.append(_max_length(channel_name, f"inputDataConfig.{index}.member.channelName", 64))
        errors.append(
            _pattern(channel_name, f"inputDataConfig.{index}.member.channelName", CHANNEL_NAME_PATTERN)
        )
        if channel_name in seen_channels:
            errors.append(
                f"Channel names must be unique. Channel '{channel_name}' is specified more than once."
            )
        seen_channels.add(channel_name)
        s3_source = channel.get("DataSource", {}).get("S3DataSource")
        if s3_source is not None:
            errors.append(
                _pattern(
                    s3_source.get("S3Uri", ""),
                    f"inputDataConfig.{index}.member.dataSource.s3DataSource.s3Uri",
                    S3_URI_PATTERN,
                )
            )
    hyper_parameters = hyper_parameters or {}
    if len(hyper_parameters) > 100:
        errors.append(
            _constraint(hyper_parameters, "hyperParameters", "Map must have length less than or equal to 100")
        )
    for key, value in hyper_parameters.items():
        errors.append(_max_length(key, "hyperParameters", 256))
        errors.append(_max_length(value, "hyperParameters", 2500))
    found = [error for error in errors if error is not None]
    if found:
        plural = "errors" if len(found) > 1 else "error"
        raise ValidationError(message=f"{len(found)} validation {plural} detected: " + "; ".join(found))
