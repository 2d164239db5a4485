"""Server-side checks SageMaker applies to a CreateTransformJob request, with AWS's messages.

botocore checks required members, types and minimums on the client; the service also enforces the API
model's maximums, lengths, patterns and enumerations (`TransformJobName`, `ModelName`, the S3 URIs,
`SplitType`, `AssembleWith`, `BatchStrategy`, `JoinSource`, `InstanceType`, ...), which are read here from
botocore's copy of the model so they match the API Reference exactly, plus what the API Reference states
in words: `MaxPayloadInMB` "cannot be greater than 100 MB", and "If you specify the
MaxConcurrentTransforms parameter, the value of (MaxConcurrentTransforms * MaxPayloadInMB) also cannot
exceed 100 MB."
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

import botocore.session
from botocore.model import Shape
from moto.sagemaker.exceptions import ValidationError

MAX_PAYLOAD_IN_MB = 100


@functools.cache
def _input_shape() -> Shape:
    model = botocore.session.get_session().get_service_model("sagemaker")
    return model.operation_model("CreateTransformJob").input_shape


def _constraint(value: Any, path: str, constraint: str) -> str:
    return f"Value '{value}' at '{path}' failed to satisfy constraint: {constraint}"


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct (\p{L}); such members are left to the service's other checks
        return None


def _member_path(parent: str, member: str) -> str:
    name = member[0].lower() + member[1:]
    return f"{parent}.{name}" if parent else name


def _errors(shape: Shape, value: Any, path: str) -> list[str]:
    metadata = shape.metadata
    if shape.type_name == "structure" and isinstance(value, Mapping):
        errors = []
        for member, member_shape in shape.members.items():  # type: ignore[attr-defined]
            if member in value:
                errors.extend(_errors(member_shape, value[member], _member_path(path, member)))
        return errors
    if shape.type_name == "map" and isinstance(value, Mapping):
        if "max" in metadata and len(value) > metadata["max"]:
            return [_constraint(value, path, f"Map must have length less than or equal to {metadata['max']}")]
        return []
    if shape.type_name == "list" and isinstance(value, list):
        errors = []
        for index, item in enumerate(value, start=1):
            errors.extend(_errors(shape.member, item, f"{path}.{index}.member"))  # type: ignore[attr-defined]
        return errors
    if shape.type_name == "string" and isinstance(value, str):
        enum = shape.enum  # type: ignore[attr-defined]
        if enum and value not in enum:
            return [_constraint(value, path, f"Member must satisfy enum value set: [{', '.join(enum)}]")]
        if "max" in metadata and len(value) > metadata["max"]:
            return [
                _constraint(value, path, f"Member must have length less than or equal to {metadata['max']}")
            ]
        pattern = _compiled(metadata["pattern"]) if "pattern" in metadata else None
        if pattern is not None and pattern.fullmatch(value) is None:
            return [
                _constraint(
                    value, path, f"Member must satisfy regular expression pattern: {metadata['pattern']}"
                )
            ]
        return []
    if shape.type_name in ("integer", "long") and isinstance(value, int):
        if "max" in metadata and value > metadata["max"]:
            return [
                _constraint(value, path, f"Member must have value less than or equal to {metadata['max']}")
            ]
        if "min" in metadata and value < metadata["min"]:
            return [
                _constraint(value, path, f"Member must have value greater than or equal to {metadata['min']}")
            ]
    return []


def validate_create_transform_job(request: Mapping[str, Any]) -> None:
    """Raise ValidationException listing every violated constraint of the request (CreateTransformJob's
    parameters by their API names), as AWS does."""
    errors = _errors(_input_shape(), request, "")
    max_payload = request.get("MaxPayloadInMB")
    if isinstance(max_payload, int) and max_payload > MAX_PAYLOAD_IN_MB:
        errors.append(
            _constraint(
                max_payload,
                "maxPayloadInMB",
                f"Member must have value less than or equal to {MAX_PAYLOAD_IN_MB}",
            )
        )
    if errors:
        plural = "errors" if len(errors) > 1 else "error"
        raise ValidationError(message=f"{len(errors)} validation {plural} detected: " + "; ".join(errors))
    concurrent = request.get("MaxConcurrentTransforms")
    if (
        isinstance(concurrent, int)
        and isinstance(max_payload, int)
        and concurrent * max_payload > MAX_PAYLOAD_IN_MB
    ):
        raise ValidationError(
            message=f"MaxConcurrentTransforms * MaxPayloadInMB ({concurrent} * {max_payload} = "
            f"{concurrent * max_payload}) cannot exceed {MAX_PAYLOAD_IN_MB} MB."
        )
