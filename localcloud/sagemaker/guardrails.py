"""UpdateEndpoint's checks of a `DeploymentConfig` before the update starts, answered as SageMaker's
ValidationException:

- the config's own rules (localcloud.sagemaker.deployment_config);
- the new endpoint configuration keeps the variant name of the current one ("Exclusions" of deployment
  guardrails), and a rolling update is refused for serverless (before or after the update) and
  multi-variant endpoints; a serverless variant's canary and linear steps are sized in percent of its
  capacity (localcloud.sagemaker.deployment_config);
- every rollback alarm exists, and the caller may `cloudwatch:DescribeAlarms` it: SageMaker reads the
  alarms with the caller's permissions ("Ensure that your IAM execution role has permission to perform
  the cloudwatch:DescribeAlarms action on the auto-rollback alarms you specify").
"""

from __future__ import annotations

from typing import Any

from moto.sagemaker.exceptions import ValidationError

from localcloud.iam.authorization import AccessDenied, authorize
from localcloud.iam.role_sessions import RoleSession
from localcloud.sagemaker.deployment_config import DeploymentConfigError, RolloutPlan, parse_deployment_config
from localcloud.sagemaker.serverless_config import is_serverless


def _variants(backend: Any, config_name: str) -> list[dict[str, Any]]:
    endpoint_config = backend.endpoint_configs.get(config_name)
    return list(endpoint_config.production_variants) if endpoint_config is not None else []


def _alarm_arn(backend: Any, name: str) -> str:
    return f"arn:aws:cloudwatch:{backend.region_name}:{backend.account_id}:alarm:{name}"


def _check_alarms(backend: Any, plan: RolloutPlan, caller: RoleSession | None) -> None:
    from moto.cloudwatch.models import cloudwatch_backends

    alarms = cloudwatch_backends[backend.account_id][backend.region_name].alarms
    for name in plan.alarm_names:
        if caller is not None:
            try:
                authorize(caller, "cloudwatch:DescribeAlarms", [_alarm_arn(backend, name)])
            except AccessDenied as denied:
                raise ValidationError(
                    message=f"Unable to describe the auto-rollback alarm {name}: {denied.message}"
                ) from denied
        if name not in alarms:
            raise ValidationError(
                message=f"The auto-rollback alarm {name} does not exist in account {backend.account_id}, "
                f"region {backend.region_name}."
            )


def rollout_plan(
    backend: Any,
    endpoint: Any,
    config_name: str,
    deployment_config: dict[str, Any] | None,
    caller: RoleSession | None,
) -> RolloutPlan | None:
    """The checked plan of this update, or None for SageMaker's default update (no DeploymentConfig)."""
    if deployment_config is None:
        return None
    new_variants = _variants(backend, config_name)
    old_names = sorted(
        variant["VariantName"] for variant in _variants(backend, endpoint.endpoint_config_name)
    )
    new_names = sorted(variant["VariantName"] for variant in new_variants)
    if old_names != new_names:
        raise ValidationError(
            message=f"A deployment with DeploymentConfig needs the new endpoint configuration {config_name} "
            f"to keep the variant names of the current one ({', '.join(old_names)}); it has "
            f"{', '.join(new_names)}."
        )
    is_rolling = deployment_config.get("RollingUpdatePolicy") is not None
    serverless = is_serverless(new_variants)
    current_serverless = is_serverless(_variants(backend, endpoint.endpoint_config_name))
    if is_rolling and (len(new_variants) != 1 or serverless or current_serverless):
        raise ValidationError(
            message="RollingUpdatePolicy is not supported for serverless or multi-variant endpoints; use "
            "BlueGreenUpdatePolicy."
        )
    instance_count = int(new_variants[0].get("InitialInstanceCount") or 1) if new_variants else 1
    try:
        plan = parse_deployment_config(deployment_config, instance_count, serverless=serverless)
    except DeploymentConfigError as error:
        raise ValidationError(message=str(error)) from error
    if plan is not None:
        _check_alarms(backend, plan, caller)
    return plan
