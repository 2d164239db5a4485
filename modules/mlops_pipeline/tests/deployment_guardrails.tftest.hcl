# SageMaker deployment guardrails: the DeploymentConfig rendered for each strategy (defaults and explicit),
# the rollback alarms (alarms.tf) and the state machine's grant to read them; one failing run per SageMaker
# or CloudWatch limit that endpoint_deployment checks at plan time.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

# ---------------------------------------------------------------------------------------------------------
# Rendered DeploymentConfig, per strategy
# ---------------------------------------------------------------------------------------------------------

# Default: SageMaker's own default update (blue/green, all traffic at once, no bake), made explicit, with
# the three module alarms as rollback alarms and a timeout of the waits (none) + 1800 s of provisioning.
run "defaults_render_all_at_once_with_the_module_alarms" {
  command = plan

  assert {
    condition = jsonencode(output.endpoint_deployment_config) == jsonencode({
      BlueGreenUpdatePolicy = {
        TrafficRoutingConfiguration      = { Type = "ALL_AT_ONCE", WaitIntervalInSeconds = 0 }
        TerminationWaitInSeconds         = 0
        MaximumExecutionTimeoutInSeconds = 1800
      }
      AutoRollbackConfiguration = {
        Alarms = [
          { AlarmName = "churn-xgboost-endpoint-5xx-errors" },
          { AlarmName = "churn-xgboost-endpoint-4xx-errors" },
          { AlarmName = "churn-xgboost-endpoint-model-latency" },
        ]
      }
    })
    error_message = "the default DeploymentConfig must be all at once, no waits, a 1800 s timeout and the three module alarms: ${jsonencode(output.endpoint_deployment_config)}"
  }

  assert {
    condition     = local.endpoint_variant_name == "AllTraffic"
    error_message = "the variant name must be AllTraffic, the state machine's single production variant"
  }

  assert {
    condition = (
      output.endpoint_rollback_alarm_names == ["churn-xgboost-endpoint-5xx-errors", "churn-xgboost-endpoint-4xx-errors", "churn-xgboost-endpoint-model-latency"] &&
      output.endpoint_rollback_alarm_arns == [
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-xgboost-endpoint-5xx-errors",
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-xgboost-endpoint-4xx-errors",
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-xgboost-endpoint-model-latency",
      ]
    )
    error_message = "the rollback alarms must be the module's three, 5XX, 4XX, latency, with ARNs of this account and region"
  }

  # 120 polls (endpoint.max_polls) + 1800 s / 30 s.
  assert {
    condition     = output.endpoint_update_max_polls == 180
    error_message = "an update may take endpoint.max_polls + ceil((timeout + termination wait) / poll interval) polls: ${output.endpoint_update_max_polls}"
  }

  assert {
    condition     = output.settings.endpoint_deployment.strategy == "all_at_once" && output.settings.endpoint_deployment.alarms.model_latency.statistic == "p99"
    error_message = "settings must report endpoint_deployment with its defaults (the root's unknown-field check reads it)"
  }
}

# A 10 % canary of 2 instances is one instance (50 %); two bakes of 300 s; 600 + 1800 s timeout.
run "canary_defaults" {
  command = plan

  variables {
    endpoint            = { instance_count = 2 }
    endpoint_deployment = { strategy = "canary" }
  }

  assert {
    condition = jsonencode(output.endpoint_deployment_config.BlueGreenUpdatePolicy) == jsonencode({
      TrafficRoutingConfiguration = {
        Type                  = "CANARY"
        WaitIntervalInSeconds = 300
        CanarySize            = { Type = "CAPACITY_PERCENT", Value = 10 }
      }
      TerminationWaitInSeconds         = 0
      MaximumExecutionTimeoutInSeconds = 2400
    })
    error_message = "canary defaults: 10 % canary, 300 s bakes, timeout 2 x 300 + 1800: ${jsonencode(output.endpoint_deployment_config)}"
  }

  assert {
    condition     = !contains(keys(output.endpoint_deployment_config), "RollingUpdatePolicy") && length(output.endpoint_deployment_config.AutoRollbackConfiguration.Alarms) == 3
    error_message = "a blue/green config must not carry a RollingUpdatePolicy, and keeps the rollback alarms"
  }

  assert {
    condition     = output.endpoint_update_max_polls == 120 + 80
    error_message = "max polls must cover the 2400 s timeout: ${output.endpoint_update_max_polls}"
  }
}

# 20 % of 4 instances rounds up to one instance: four steps, four bakes of 300 s.
run "linear_defaults" {
  command = plan

  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "linear" }
  }

  assert {
    condition = jsonencode(output.endpoint_deployment_config.BlueGreenUpdatePolicy) == jsonencode({
      TrafficRoutingConfiguration = {
        Type                  = "LINEAR"
        WaitIntervalInSeconds = 300
        LinearStepSize        = { Type = "CAPACITY_PERCENT", Value = 20 }
      }
      TerminationWaitInSeconds         = 0
      MaximumExecutionTimeoutInSeconds = 3000
    })
    error_message = "linear defaults: 20 % steps, 300 s bakes, timeout 4 x 300 + 1800: ${jsonencode(output.endpoint_deployment_config)}"
  }

  assert {
    condition     = !can(output.endpoint_deployment_config.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.CanarySize)
    error_message = "a linear config must not carry a CanarySize"
  }
}

# Rolling: no TrafficRoutingConfiguration, no termination wait; 25 % of 4 = four batches, each with its
# bake and 900 s of provisioning: 4 x 300 + 4 x 900.
run "rolling_defaults" {
  command = plan

  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "rolling" }
  }

  assert {
    condition = jsonencode(output.endpoint_deployment_config) == jsonencode({
      RollingUpdatePolicy = {
        MaximumBatchSize                 = { Type = "CAPACITY_PERCENT", Value = 25 }
        WaitIntervalInSeconds            = 300
        MaximumExecutionTimeoutInSeconds = 4800
      }
      AutoRollbackConfiguration = {
        Alarms = [
          { AlarmName = "churn-xgboost-endpoint-5xx-errors" },
          { AlarmName = "churn-xgboost-endpoint-4xx-errors" },
          { AlarmName = "churn-xgboost-endpoint-model-latency" },
        ]
      }
    })
    error_message = "rolling defaults: 25 % batches, 300 s bakes, no RollbackMaximumBatchSize, timeout 4800: ${jsonencode(output.endpoint_deployment_config)}"
  }
}

run "rolling_with_every_field" {
  command = plan

  variables {
    endpoint = { instance_count = 10 }
    endpoint_deployment = {
      strategy                          = "rolling"
      step                              = { type = "INSTANCE_COUNT", value = 2 }
      rollback_batch                    = { type = "CAPACITY_PERCENT", value = 50 }
      wait_interval_seconds             = 120
      maximum_execution_timeout_seconds = 7200
    }
  }

  assert {
    condition = jsonencode(output.endpoint_deployment_config.RollingUpdatePolicy) == jsonencode({
      MaximumBatchSize                 = { Type = "INSTANCE_COUNT", Value = 2 }
      WaitIntervalInSeconds            = 120
      MaximumExecutionTimeoutInSeconds = 7200
      RollbackMaximumBatchSize         = { Type = "CAPACITY_PERCENT", Value = 50 }
    })
    error_message = "every rolling field must reach RollingUpdatePolicy: ${jsonencode(output.endpoint_deployment_config)}"
  }

  assert {
    condition     = output.endpoint_update_max_polls == 120 + 240
    error_message = "max polls must cover the 7200 s timeout: ${output.endpoint_update_max_polls}"
  }
}

# Explicit values are passed as given; the termination wait counts in the polls.
run "canary_with_every_field" {
  command = plan

  variables {
    endpoint = { instance_count = 4 }
    endpoint_deployment = {
      strategy                          = "canary"
      step                              = { type = "INSTANCE_COUNT", value = 1 }
      wait_interval_seconds             = 600
      termination_wait_seconds          = 300
      maximum_execution_timeout_seconds = 3600
    }
  }

  assert {
    condition = jsonencode(output.endpoint_deployment_config.BlueGreenUpdatePolicy) == jsonencode({
      TrafficRoutingConfiguration = {
        Type                  = "CANARY"
        WaitIntervalInSeconds = 600
        CanarySize            = { Type = "INSTANCE_COUNT", Value = 1 }
      }
      TerminationWaitInSeconds         = 300
      MaximumExecutionTimeoutInSeconds = 3600
    })
    error_message = "every canary field must reach BlueGreenUpdatePolicy: ${jsonencode(output.endpoint_deployment_config)}"
  }

  assert {
    condition     = output.endpoint_update_max_polls == 120 + 130
    error_message = "max polls must cover the timeout and the termination wait, (3600 + 300) / 30: ${output.endpoint_update_max_polls}"
  }
}

# Long waits are capped by SageMaker's 28800 s: the derived timeout stops there (still above the waits).
run "derived_timeout_stops_at_the_limit" {
  command = plan

  variables {
    endpoint            = { instance_count = 10 }
    endpoint_deployment = { strategy = "linear", step = { value = 10 }, wait_interval_seconds = 2700 }
  }

  assert {
    condition     = output.endpoint_deployment_config.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds == 28800
    error_message = "the derived timeout must not exceed 28800 s: ${jsonencode(output.endpoint_deployment_config)}"
  }
}

# No alarm at all: no AutoRollbackConfiguration (SageMaker wants 1-10 alarms or none), no alarm resource,
# no DescribeAlarms grant.
run "no_alarms_leave_out_auto_rollback" {
  command = plan

  variables {
    endpoint_deployment = {
      alarms = {
        invocation_5xx_errors = { enabled = false }
        invocation_4xx_errors = { enabled = false }
        model_latency         = { enabled = false }
      }
    }
  }

  assert {
    condition     = keys(output.endpoint_deployment_config) == ["BlueGreenUpdatePolicy"]
    error_message = "without alarms the config must have no AutoRollbackConfiguration: ${jsonencode(output.endpoint_deployment_config)}"
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.endpoint) == 0 && length(output.endpoint_rollback_alarm_names) == 0 && length(output.endpoint_rollback_alarm_arns) == 0
    error_message = "disabled alarms must not be created nor listed"
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.step_function.statement : s if contains(s.actions, "cloudwatch:DescribeAlarms")]) == 0
    error_message = "without rollback alarms the state machine must not be granted cloudwatch:DescribeAlarms"
  }
}

# A rolling update without alarms is allowed: it still replaces the fleet without a second one.
run "rolling_without_alarms_is_allowed" {
  command = plan

  variables {
    endpoint = { instance_count = 4 }
    endpoint_deployment = {
      strategy = "rolling"
      alarms = {
        invocation_5xx_errors = { enabled = false }
        invocation_4xx_errors = { enabled = false }
        model_latency         = { enabled = false }
      }
    }
  }

  assert {
    condition     = keys(output.endpoint_deployment_config) == ["RollingUpdatePolicy"]
    error_message = "a rolling update without alarms must render without AutoRollbackConfiguration"
  }
}

# ---------------------------------------------------------------------------------------------------------
# Alarms and their wiring
# ---------------------------------------------------------------------------------------------------------

run "alarms_watch_the_endpoint_variant" {
  command = plan

  variables {
    endpoint = { name = "churn-live" }
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_metric_alarm.endpoint)) == toset(["invocation_5xx_errors", "invocation_4xx_errors", "model_latency"])
    error_message = "the three module alarms must be created by default"
  }

  assert {
    condition = alltrue([
      for alarm in aws_cloudwatch_metric_alarm.endpoint : (
        alarm.namespace == "AWS/SageMaker" &&
        alarm.dimensions == tomap({ EndpointName = "churn-live", VariantName = "AllTraffic" }) &&
        alarm.comparison_operator == "GreaterThanThreshold" &&
        try(length(alarm.alarm_actions), 0) == 0 && try(length(alarm.ok_actions), 0) == 0 && try(length(alarm.insufficient_data_actions), 0) == 0 &&
        alarm.tags["mlops-pipeline"] == "churn-xgboost" &&
        strcontains(alarm.alarm_description, "Rollout guardrail") && strcontains(alarm.alarm_description, "pages no one")
      )
    ])
    error_message = "every alarm must watch AWS/SageMaker for this endpoint's name and variant, above its threshold, without actions, with the module's tags"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].alarm_name == "churn-xgboost-endpoint-5xx-errors" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].metric_name == "Invocation5XXErrors" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].statistic == "Average" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].extended_statistic == null &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].threshold == 0.01 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].period == 60 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].evaluation_periods == 1 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].datapoints_to_alarm == 1 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].treat_missing_data == "notBreaching"
    )
    error_message = "the 5XX alarm must be the error rate (Average) above 1 % in 1 of 1 minute, notBreaching"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].alarm_name == "churn-xgboost-endpoint-4xx-errors" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].metric_name == "Invocation4XXErrors" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].statistic == "Average" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].threshold == 0.02 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].evaluation_periods == 1 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].datapoints_to_alarm == 1
    )
    error_message = "the 4XX alarm must be the error rate above 2 % in 1 of 1 minute"
  }

  # A percentile is an extended statistic, never a statistic.
  assert {
    condition = (
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].alarm_name == "churn-xgboost-endpoint-model-latency" &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].metric_name == "ModelLatency" &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].extended_statistic == "p99" &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].statistic == null &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].threshold == 500000 &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].evaluation_periods == 3 &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].datapoints_to_alarm == 2
    )
    error_message = "the latency alarm must be p99 (extended_statistic) above 500000 microseconds in 2 of 3 minutes"
  }
}

run "alarm_settings_reach_the_alarms" {
  command = plan

  variables {
    endpoint_deployment = {
      alarms = {
        invocation_5xx_errors = { statistic = "p99.9", threshold = 0, period_seconds = 300, evaluation_periods = 4, datapoints_to_alarm = 3, treat_missing_data = "breaching" }
        invocation_4xx_errors = { statistic = "Sum", threshold = 10 }
        model_latency         = { statistic = "Maximum", treat_missing_data = "ignore" }
      }
    }
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].extended_statistic == "p99.9" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].statistic == null &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].threshold == 0 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].period == 300 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].evaluation_periods == 4 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].datapoints_to_alarm == 3 &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_5xx_errors"].treat_missing_data == "breaching"
    )
    error_message = "every 5XX alarm field must reach the alarm"
  }

  assert {
    condition = (
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].statistic == "Sum" &&
      aws_cloudwatch_metric_alarm.endpoint["invocation_4xx_errors"].threshold == 10 &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].statistic == "Maximum" &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].extended_statistic == null &&
      aws_cloudwatch_metric_alarm.endpoint["model_latency"].treat_missing_data == "ignore"
    )
    error_message = "a plain statistic must be a statistic, not an extended statistic"
  }
}

# A disabled alarm is neither created nor listed; the user's alarms follow the module's, and the state
# machine may describe exactly those alarms.
run "disabled_alarm_and_additional_alarms" {
  command = plan

  variables {
    endpoint_deployment = {
      alarms                 = { model_latency = { enabled = false } }
      additional_alarm_names = ["churn-p50-latency", "team/churn business KPI"]
    }
  }

  assert {
    condition     = length(aws_cloudwatch_metric_alarm.endpoint) == 2 && !contains(keys(aws_cloudwatch_metric_alarm.endpoint), "model_latency")
    error_message = "a disabled alarm must not be created"
  }

  assert {
    condition     = output.endpoint_rollback_alarm_names == ["churn-xgboost-endpoint-5xx-errors", "churn-xgboost-endpoint-4xx-errors", "churn-p50-latency", "team/churn business KPI"]
    error_message = "rollback alarms must be the enabled module alarms, then additional_alarm_names: ${jsonencode(output.endpoint_rollback_alarm_names)}"
  }

  assert {
    condition     = output.endpoint_deployment_config.AutoRollbackConfiguration.Alarms == [for n in output.endpoint_rollback_alarm_names : { AlarmName = n }]
    error_message = "AutoRollbackConfiguration must list the rollback alarms in order"
  }

  assert {
    condition = one([for s in data.aws_iam_policy_document.step_function.statement : s if s.sid == "DescribeRollbackAlarms"]).resources == toset([
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-xgboost-endpoint-5xx-errors",
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-xgboost-endpoint-4xx-errors",
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:churn-p50-latency",
      "arn:aws:cloudwatch:us-east-1:123456789012:alarm:team/churn business KPI",
    ])
    error_message = "DescribeAlarms must be granted on the rollback alarms' ARNs, and only those"
  }
}

run "describe_alarms_grant" {
  command = plan

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.step_function.statement : s.actions if s.sid == "DescribeRollbackAlarms"]) == toset(["cloudwatch:DescribeAlarms"]) &&
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "DescribeRollbackAlarms"]) == toset(output.endpoint_rollback_alarm_arns) &&
      length([for s in data.aws_iam_policy_document.step_function.statement : s if contains(s.actions, "cloudwatch:DescribeAlarms")]) == 1
    )
    error_message = "the Step Functions role must get cloudwatch:DescribeAlarms on the rollback alarms' ARNs, in one statement"
  }

  assert {
    condition = length(flatten([
      for document in [data.aws_iam_policy_document.trigger, data.aws_iam_policy_document.glue, data.aws_iam_policy_document.sagemaker] : [
        for s in document.statement : s.sid if anytrue([for action in s.actions : startswith(action, "cloudwatch:DescribeAlarms")])
      ]
    ])) == 0
    error_message = "only the Step Functions role (the UpdateEndpoint caller) may describe the rollback alarms"
  }
}

# Limits met exactly are accepted: 10 alarms, a 50 % canary of 2 instances, a one-day and a seven-day alarm
# window, a timeout one second above the waits.
run "limits_met_exactly_are_accepted" {
  command = plan

  variables {
    endpoint = { instance_count = 2 }
    endpoint_deployment = {
      strategy                          = "canary"
      step                              = { value = 50 }
      wait_interval_seconds             = 1200
      termination_wait_seconds          = 600
      maximum_execution_timeout_seconds = 3001
      alarms = {
        invocation_5xx_errors = { period_seconds = 60, evaluation_periods = 1440, datapoints_to_alarm = 1440 }
        model_latency         = { period_seconds = 3600, evaluation_periods = 168 }
      }
      additional_alarm_names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7"]
    }
  }

  assert {
    condition     = length(output.endpoint_deployment_config.AutoRollbackConfiguration.Alarms) == 10
    error_message = "ten rollback alarms are SageMaker's maximum and must be accepted"
  }
}

# ---------------------------------------------------------------------------------------------------------
# Refused at plan time: one run per limit
# ---------------------------------------------------------------------------------------------------------

run "unknown_strategy" {
  command = plan
  variables {
    endpoint_deployment = { strategy = "blue_green" }
  }
  expect_failures = [var.endpoint_deployment]
}

run "unknown_step_type" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "canary", step = { type = "PERCENT", value = 25 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "fractional_step" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "canary", step = { value = 12.5 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "step_with_all_at_once" {
  command = plan
  variables {
    endpoint_deployment = { step = { value = 10 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "canary_over_half_the_fleet_in_percent" {
  command = plan
  variables {
    endpoint            = { instance_count = 10 }
    endpoint_deployment = { strategy = "canary", step = { value = 60 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "linear_step_under_ten_percent" {
  command = plan
  variables {
    endpoint            = { instance_count = 20 }
    endpoint_deployment = { strategy = "linear", step = { value = 5 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "rolling_batch_under_five_percent" {
  command = plan
  variables {
    endpoint            = { instance_count = 40 }
    endpoint_deployment = { strategy = "rolling", step = { value = 4 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "rolling_batch_over_half_in_percent" {
  command = plan
  variables {
    endpoint            = { instance_count = 10 }
    endpoint_deployment = { strategy = "rolling", step = { value = 51 } }
  }
  expect_failures = [var.endpoint_deployment]
}

# The default endpoint has one instance: any canary is that instance, 100 % of the fleet.
run "canary_on_a_single_instance" {
  command = plan
  variables {
    endpoint_deployment = { strategy = "canary" }
  }
  expect_failures = [var.endpoint_deployment]
}

run "canary_of_more_than_half_the_instances" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "canary", step = { type = "INSTANCE_COUNT", value = 3 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "linear_step_of_under_ten_percent_of_the_instances" {
  command = plan
  variables {
    endpoint            = { instance_count = 20 }
    endpoint_deployment = { strategy = "linear", step = { type = "INSTANCE_COUNT", value = 1 } }
  }
  expect_failures = [var.endpoint_deployment]
}

# 50 % of 3 instances rounds up to 2: 67 % of the fleet.
run "percentage_rounded_up_over_half" {
  command = plan
  variables {
    endpoint            = { instance_count = 3 }
    endpoint_deployment = { strategy = "canary", step = { value = 50 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "rollback_batch_without_rolling" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "canary", rollback_batch = { value = 50 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "rollback_batch_larger_than_the_fleet" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "rolling", rollback_batch = { type = "INSTANCE_COUNT", value = 5 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "rollback_batch_over_a_hundred_percent" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "rolling", rollback_batch = { value = 101 } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "wait_interval_over_an_hour" {
  command = plan
  variables {
    endpoint            = { instance_count = 2 }
    endpoint_deployment = { strategy = "canary", wait_interval_seconds = 3601 }
  }
  expect_failures = [var.endpoint_deployment]
}

run "negative_wait_interval" {
  command = plan
  variables {
    endpoint_deployment = { wait_interval_seconds = -1 }
  }
  expect_failures = [var.endpoint_deployment]
}

run "termination_wait_over_an_hour" {
  command = plan
  variables {
    endpoint_deployment = { termination_wait_seconds = 3601 }
  }
  expect_failures = [var.endpoint_deployment]
}

run "termination_wait_with_rolling" {
  command = plan
  variables {
    endpoint            = { instance_count = 4 }
    endpoint_deployment = { strategy = "rolling", termination_wait_seconds = 60 }
  }
  expect_failures = [var.endpoint_deployment]
}

run "timeout_under_ten_minutes" {
  command = plan
  variables {
    endpoint_deployment = { maximum_execution_timeout_seconds = 599 }
  }
  expect_failures = [var.endpoint_deployment]
}

run "timeout_over_eight_hours" {
  command = plan
  variables {
    endpoint_deployment = { maximum_execution_timeout_seconds = 28801 }
  }
  expect_failures = [var.endpoint_deployment]
}

# Two bakes of 600 s + 600 s termination wait = 1800 s: a timeout of 1800 s is not larger.
run "timeout_not_above_the_waits" {
  command = plan
  variables {
    endpoint = { instance_count = 2 }
    endpoint_deployment = {
      strategy                          = "canary"
      wait_interval_seconds             = 600
      termination_wait_seconds          = 600
      maximum_execution_timeout_seconds = 1800
    }
  }
  expect_failures = [var.endpoint_deployment]
}

# Ten 10 % steps of 3600 s = 36000 s: no timeout SageMaker accepts (at most 28800) can hold them.
run "waits_longer_than_any_timeout" {
  command = plan
  variables {
    endpoint            = { instance_count = 10 }
    endpoint_deployment = { strategy = "linear", step = { value = 10 }, wait_interval_seconds = 3600 }
  }
  expect_failures = [var.endpoint_deployment]
}

run "canary_without_any_alarm" {
  command = plan
  variables {
    endpoint = { instance_count = 2 }
    endpoint_deployment = {
      strategy = "canary"
      alarms = {
        invocation_5xx_errors = { enabled = false }
        invocation_4xx_errors = { enabled = false }
        model_latency         = { enabled = false }
      }
    }
  }
  expect_failures = [var.endpoint_deployment]
}

run "percentile_with_three_decimals" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { model_latency = { statistic = "p99.999" } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "percentile_over_a_hundred" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { model_latency = { statistic = "p101" } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "unknown_statistic" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_5xx_errors = { statistic = "avg" } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "negative_threshold" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_4xx_errors = { threshold = -0.1 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "sub_minute_period" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_5xx_errors = { period_seconds = 30 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "period_not_a_multiple_of_a_minute" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_5xx_errors = { period_seconds = 90 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "alarm_window_over_a_day" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_5xx_errors = { period_seconds = 60, evaluation_periods = 1441 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "alarm_window_over_seven_days" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { model_latency = { period_seconds = 3600, evaluation_periods = 169 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "zero_evaluation_periods" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_5xx_errors = { evaluation_periods = 0, datapoints_to_alarm = 0 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "more_datapoints_than_evaluation_periods" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { model_latency = { evaluation_periods = 3, datapoints_to_alarm = 4 } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "unknown_treat_missing_data" {
  command = plan
  variables {
    endpoint_deployment = { alarms = { invocation_5xx_errors = { treat_missing_data = "ok" } } }
  }
  expect_failures = [var.endpoint_deployment]
}

run "blank_additional_alarm_name" {
  command = plan
  variables {
    endpoint_deployment = { additional_alarm_names = ["  "] }
  }
  expect_failures = [var.endpoint_deployment]
}

run "additional_alarm_name_too_long" {
  command = plan
  variables {
    endpoint_deployment = { additional_alarm_names = [join("", [for i in range(256) : "a"])] }
  }
  expect_failures = [var.endpoint_deployment]
}

# "*" would be a wildcard in the DescribeAlarms grant.
run "additional_alarm_name_with_wildcard" {
  command = plan
  variables {
    endpoint_deployment = { additional_alarm_names = ["churn-*"] }
  }
  expect_failures = [var.endpoint_deployment]
}

run "repeated_additional_alarm_name" {
  command = plan
  variables {
    endpoint_deployment = { additional_alarm_names = ["churn-kpi", "churn-kpi"] }
  }
  expect_failures = [var.endpoint_deployment]
}

run "additional_alarm_named_like_a_module_alarm" {
  command = plan
  variables {
    endpoint_deployment = { additional_alarm_names = ["churn-xgboost-endpoint-5xx-errors"] }
  }
  expect_failures = [var.endpoint_deployment]
}

run "more_than_ten_rollback_alarms" {
  command = plan
  variables {
    endpoint_deployment = { additional_alarm_names = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8"] }
  }
  expect_failures = [var.endpoint_deployment]
}
