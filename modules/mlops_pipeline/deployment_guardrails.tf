# SageMaker deployment guardrails: how a run's UpdateEndpoint replaces the model (endpoint_deployment,
# variables.tf), rendered once here as the API's DeploymentConfig, with the alarms that roll it back
# (alarms.tf). These locals are the contract the state machine is wired to; keep their names:
#
# - endpoint_variant_name: the endpoint's single production variant; the alarms' VariantName dimension.
# - endpoint_rollback_alarm_names / _arns: the module's enabled alarms, then additional_alarm_names.
# - endpoint_deployment_config: DeploymentConfig exactly as UpdateEndpoint takes it (PascalCase keys, null
#   keys left out), so it is passed on as is.
# - endpoint_update_max_polls: DescribeEndpoint polls an update may take before the run gives up.
#
# The rules on these values (limits, steps, the timeout) are checked in variables.tf, which cannot read
# locals: the step, step count and derived timeout below are computed the same way there. Change both.

locals {
  # One production variant, named as SageMaker's own default. Deployment guardrails need the new endpoint
  # config to keep the variant name of the current one, so this name never changes between runs.
  endpoint_variant_name = "AllTraffic"

  # The module's alarms in rollback order: the metric each watches (AWS/SageMaker, per endpoint variant) and
  # its name, `<name>-endpoint-<suffix>` like the module's other resource names (`name` is unique per
  # pipeline; alarm names are unique per account and region). variables.tf reserves the same names.
  endpoint_alarm_kinds = ["invocation_5xx_errors", "invocation_4xx_errors", "model_latency"]
  endpoint_alarm_definitions = {
    invocation_5xx_errors = { metric_name = "Invocation5XXErrors", name = "${var.name}-endpoint-5xx-errors" }
    invocation_4xx_errors = { metric_name = "Invocation4XXErrors", name = "${var.name}-endpoint-4xx-errors" }
    model_latency         = { metric_name = "ModelLatency", name = "${var.name}-endpoint-model-latency" }
  }
  endpoint_alarms = {
    for kind in local.endpoint_alarm_kinds : kind => merge(var.endpoint_deployment.alarms[kind], local.endpoint_alarm_definitions[kind])
    if var.endpoint_deployment.alarms[kind].enabled
  }

  endpoint_rollback_alarm_names = concat(
    [for kind in local.endpoint_alarm_kinds : local.endpoint_alarms[kind].name if contains(keys(local.endpoint_alarms), kind)],
    var.endpoint_deployment.additional_alarm_names,
  )
  # Built from names, like the module's other ARNs (main.tf): known at plan time for the IAM grant.
  endpoint_rollback_alarm_arns = [
    for alarm_name in local.endpoint_rollback_alarm_names : "arn:${local.partition}:cloudwatch:${local.arn_prefix_regional}:alarm:${alarm_name}"
  ]

  # The step (canary, linear step, rolling batch); null for all_at_once. Defaults: a 10 % canary, 20 % linear
  # steps, 25 % rolling batches (of the instances, rounded up: at most five and four steps).
  endpoint_deployment_strategy = var.endpoint_deployment.strategy
  endpoint_deployment_step = local.endpoint_deployment_strategy == "all_at_once" ? null : (
    var.endpoint_deployment.step != null ? var.endpoint_deployment.step : {
      type  = "CAPACITY_PERCENT"
      value = lookup({ canary = 10, linear = 20, rolling = 25 }, local.endpoint_deployment_strategy)
    }
  )
  # Instances one step turns on: SageMaker rounds a percentage up to whole instances, at least one.
  endpoint_deployment_step_instances = local.endpoint_deployment_step == null ? var.endpoint.instance_count : (
    local.endpoint_deployment_step.type == "INSTANCE_COUNT" ? local.endpoint_deployment_step.value :
    max(1, ceil(local.endpoint_deployment_step.value * var.endpoint.instance_count / 100))
  )
  # Traffic steps, each followed by a bake: all at once 1; canary 2 (the canary, then the rest); linear and
  # rolling as many steps as it takes to cover the fleet.
  endpoint_deployment_steps = lookup(
    { all_at_once = 1, canary = 2 },
    local.endpoint_deployment_strategy,
    ceil(var.endpoint.instance_count / local.endpoint_deployment_step_instances),
  )
  endpoint_deployment_wait_interval_seconds    = coalesce(var.endpoint_deployment.wait_interval_seconds, local.endpoint_deployment_strategy == "all_at_once" ? 0 : 300)
  endpoint_deployment_termination_wait_seconds = local.endpoint_deployment_strategy == "rolling" ? 0 : var.endpoint_deployment.termination_wait_seconds
  endpoint_deployment_total_wait_seconds       = local.endpoint_deployment_wait_interval_seconds * local.endpoint_deployment_steps + local.endpoint_deployment_termination_wait_seconds
  # Time to bring instances up besides the waits: a blue/green update provisions the new fleet once, a
  # rolling update once per batch. SageMaker usually needs 5-10 minutes for an instance.
  endpoint_deployment_provisioning_allowance_seconds = local.endpoint_deployment_strategy == "rolling" ? 900 * local.endpoint_deployment_steps : 1800
  endpoint_deployment_timeout_seconds = coalesce(
    var.endpoint_deployment.maximum_execution_timeout_seconds,
    min(28800, max(600, local.endpoint_deployment_total_wait_seconds + local.endpoint_deployment_provisioning_allowance_seconds)),
  )

  endpoint_deployment_capacity = local.endpoint_deployment_step == null ? null : {
    Type  = local.endpoint_deployment_step.type
    Value = local.endpoint_deployment_step.value
  }
  endpoint_deployment_rollback_capacity = var.endpoint_deployment.rollback_batch == null ? null : {
    Type  = var.endpoint_deployment.rollback_batch.type
    Value = var.endpoint_deployment.rollback_batch.value
  }

  # `{ for k, v in {...} : k => v if v != null }` leaves out the keys that do not apply: SageMaker takes the
  # object as it is, and a null member is not "absent" to every client.
  endpoint_deployment_config = { for key, value in {
    BlueGreenUpdatePolicy = local.endpoint_deployment_strategy == "rolling" ? null : {
      TrafficRoutingConfiguration = { for key, value in {
        Type                  = upper(local.endpoint_deployment_strategy)
        WaitIntervalInSeconds = local.endpoint_deployment_wait_interval_seconds
        CanarySize            = local.endpoint_deployment_strategy == "canary" ? local.endpoint_deployment_capacity : null
        LinearStepSize        = local.endpoint_deployment_strategy == "linear" ? local.endpoint_deployment_capacity : null
      } : key => value if value != null }
      TerminationWaitInSeconds         = local.endpoint_deployment_termination_wait_seconds
      MaximumExecutionTimeoutInSeconds = local.endpoint_deployment_timeout_seconds
    }
    RollingUpdatePolicy = local.endpoint_deployment_strategy != "rolling" ? null : { for key, value in {
      MaximumBatchSize                 = local.endpoint_deployment_capacity
      WaitIntervalInSeconds            = local.endpoint_deployment_wait_interval_seconds
      MaximumExecutionTimeoutInSeconds = local.endpoint_deployment_timeout_seconds
      RollbackMaximumBatchSize         = local.endpoint_deployment_rollback_capacity
    } : key => value if value != null }
    # 1-10 alarms (checked in variables.tf); none: no automatic rollback, and the key is left out.
    AutoRollbackConfiguration = length(local.endpoint_rollback_alarm_names) == 0 ? null : {
      Alarms = [for alarm_name in local.endpoint_rollback_alarm_names : { AlarmName = alarm_name }]
    }
  } : key => value if value != null }

  # How long a run may wait for an update: endpoint.max_polls (provisioning, and a rollback after the timeout)
  # plus the polls that cover the deployment's own timeout and the old fleet's termination wait.
  endpoint_update_max_polls = var.endpoint.max_polls + ceil(
    (local.endpoint_deployment_timeout_seconds + local.endpoint_deployment_termination_wait_seconds) / var.endpoint.poll_interval_seconds
  )
}
