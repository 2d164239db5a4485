"""A serverless endpoint option writes ServerlessConfig in the endpoint config instead of instances."""

from __future__ import annotations

import json
from typing import Any

from statemachine_fixtures.template_values import template_values

from statemachine.render import render_definition


def _variant(**serverless: Any) -> dict[str, Any]:
    endpoint = {"serverless": {"provisioned_concurrency": None, **serverless} if serverless else None}
    definition = json.loads(render_definition(template_values(endpoint=endpoint)))
    (variant,) = definition["States"]["CreateEndpointConfig"]["Parameters"]["ProductionVariants"]
    return variant


def test_instance_hosting_by_default() -> None:
    variant = _variant()
    assert (variant["InstanceType"], variant["InitialInstanceCount"]) == ("ml.m5.large", 1)
    assert "ServerlessConfig" not in variant


def test_serverless_hosting_replaces_the_instances() -> None:
    variant = _variant(memory_size_mb=2048, max_concurrency=5)
    assert variant["ServerlessConfig"] == {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
    assert "InstanceType" not in variant and "InitialInstanceCount" not in variant
    assert variant["VariantName"] == "AllTraffic"


def test_provisioned_concurrency_is_passed_when_set() -> None:
    variant = _variant(memory_size_mb=1024, max_concurrency=5, provisioned_concurrency=2)
    assert variant["ServerlessConfig"] == {
        "MemorySizeInMB": 1024,
        "MaxConcurrency": 5,
        "ProvisionedConcurrency": 2,
    }
