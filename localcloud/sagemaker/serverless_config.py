"""Serverless production variants (`ServerlessConfig`) checked as SageMaker checks them, before moto stores
the endpoint configuration, and the update SageMaker refuses for them.

Limits (API Reference, ProductionVariantServerlessConfig; Developer Guide, "Deploy models with Amazon
SageMaker Serverless Inference", "Feature exclusions", "Update a serverless endpoint"):

- `MemorySizeInMB` 1024-6144 in 1 GB steps; `MaxConcurrency` 1-200; `ProvisionedConcurrency` 1-200 and at
  most `MaxConcurrency`;
- a serverless variant has no instances: no `InstanceType` / `InitialInstanceCount` beside `ServerlessConfig`;
- multiple production variants and data capture are not supported for serverless endpoints;
- a real-time (instance-based) endpoint cannot be updated to a serverless configuration.

A range is refused in AWS's constraint format ("1 validation error detected: Value '7000' at
'productionVariants.1.member.serverlessConfig.memorySizeInMB' failed to satisfy constraint: ..."); AWS's
wording of the other refusals is not documented, so theirs is the local cloud's.

moto checks only the memory size, and only when the variant has no `InstanceType`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from moto.sagemaker.exceptions import ValidationError
from moto.sagemaker.models import FakeEndpoint, FakeEndpointConfig, SageMakerModelBackend

from localcloud import patching

MEMORY_SIZES_MB = (1024, 2048, 3072, 4096, 5120, 6144)
CONCURRENCY_LIMITS = (1, 200)
INSTANCE_FIELDS = ("InstanceType", "InitialInstanceCount")


def serverless_config(variant: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The variant's ServerlessConfig, or None for an instance-based variant."""
    return variant.get("ServerlessConfig") or None


def is_serverless(variants: Sequence[Mapping[str, Any]]) -> bool:
    return any(serverless_config(variant) is not None for variant in variants)


def _range_errors(value: Any, path: str, low: int, high: int) -> list[str]:
    prefix = f"Value '{value}' at '{path}' failed to satisfy constraint: Member must"
    if isinstance(value, bool) or not isinstance(value, int):
        return [f"{prefix} be an integer"]
    if value < low:
        return [f"{prefix} have value greater than or equal to {low}"]
    if value > high:
        return [f"{prefix} have value less than or equal to {high}"]
    return []


def _constraint_errors(variants: Sequence[Mapping[str, Any]]) -> list[str]:
    errors: list[str] = []
    for index, variant in enumerate(variants, start=1):
        config = serverless_config(variant)
        if config is None:
            continue
        path = f"productionVariants.{index}.member.serverlessConfig"
        errors += _range_errors(config.get("MemorySizeInMB"), f"{path}.memorySizeInMB", 1024, 6144)
        errors += _range_errors(config.get("MaxConcurrency"), f"{path}.maxConcurrency", *CONCURRENCY_LIMITS)
        if config.get("ProvisionedConcurrency") is not None:
            errors += _range_errors(
                config["ProvisionedConcurrency"], f"{path}.provisionedConcurrency", *CONCURRENCY_LIMITS
            )
    return errors


def _rule_errors(variants: Sequence[Mapping[str, Any]], data_capture: Mapping[str, Any] | None) -> list[str]:
    errors = []
    for variant in variants:
        config = serverless_config(variant)
        if config is None:
            continue
        name = variant.get("VariantName")
        both = [field for field in INSTANCE_FIELDS if variant.get(field) is not None]
        if both:
            errors.append(
                f"Production variant {name} specifies both ServerlessConfig and {' and '.join(both)}: a "
                "variant is either serverless or instance-based."
            )
        if config["MemorySizeInMB"] not in MEMORY_SIZES_MB:
            errors.append(
                f"MemorySizeInMB {config['MemorySizeInMB']} of production variant {name} is not a valid "
                f"memory size: valid values are {', '.join(map(str, MEMORY_SIZES_MB))} MB."
            )
        provisioned = config.get("ProvisionedConcurrency")
        if provisioned is not None and provisioned > config["MaxConcurrency"]:
            errors.append(
                f"ProvisionedConcurrency ({provisioned}) of production variant {name} must be less than or "
                f"equal to its MaxConcurrency ({config['MaxConcurrency']})."
            )
    if is_serverless(variants) and len(variants) > 1:
        errors.append(
            "Serverless endpoints support one production variant only; this configuration has "
            f"{len(variants)}."
        )
    if is_serverless(variants) and data_capture:
        errors.append("DataCaptureConfig is not supported for serverless endpoints.")
    return errors


def validate_production_variants(
    variants: Sequence[Mapping[str, Any]], data_capture: Mapping[str, Any] | None = None
) -> None:
    """Raise ValidationException for a serverless variant SageMaker would refuse; instance variants pass."""
    constraints = _constraint_errors(variants)
    if constraints:
        plural = "errors" if len(constraints) > 1 else "error"
        raise ValidationError(
            message=f"{len(constraints)} validation {plural} detected: " + "; ".join(constraints)
        )
    rules = _rule_errors(variants, data_capture)
    if rules:
        raise ValidationError(message=" ".join(rules))


def _variants(backend: SageMakerModelBackend, config_name: str) -> list[dict[str, Any]]:
    config = backend.endpoint_configs.get(config_name)
    return list(config.production_variants) if config is not None else []


def check_update(backend: SageMakerModelBackend, endpoint: FakeEndpoint, config_name: str) -> None:
    """UpdateEndpoint to `config_name`: an instance-based endpoint cannot become serverless (the reverse is
    allowed, "Update a serverless endpoint")."""
    current = _variants(backend, endpoint.endpoint_config_name)
    if is_serverless(_variants(backend, config_name)) and current and not is_serverless(current):
        raise ValidationError(
            message=f'Cannot update endpoint "{endpoint.arn}" to serverless endpoint configuration '
            f"{config_name}: updating a real-time (instance-based) endpoint to a serverless endpoint is not "
            "supported."
        )


def _create_endpoint_config(original: Callable[..., FakeEndpointConfig]) -> Callable[..., FakeEndpointConfig]:
    @functools.wraps(original)
    def create_endpoint_config(self: SageMakerModelBackend, **kwargs: Any) -> FakeEndpointConfig:
        validate_production_variants(
            kwargs.get("production_variants") or [], kwargs.get("data_capture_config")
        )
        return original(self, **kwargs)

    return create_endpoint_config


PATCHES = (
    patching.wrap(
        __name__,
        SageMakerModelBackend,
        "create_endpoint_config",
        fingerprint="87a71038bb397165",
        build=_create_endpoint_config,
    ),
)
