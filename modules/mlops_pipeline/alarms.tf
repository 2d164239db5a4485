# Rollout guardrails: one CloudWatch alarm per enabled endpoint_deployment.alarms entry, on SageMaker's
# per-variant invocation metrics of this pipeline's endpoint. SageMaker rolls an endpoint update back when
# one of them is in ALARM while it bakes a step (deployment_guardrails.tf lists them in the update's
# AutoRollbackConfiguration). They have no actions on purpose: they page no one. To be paged, add actions
# to them outside the module (or your own alarms, which additional_alarm_names can also roll back on).
#
# Dimensions EndpointName + VariantName cover both fleets during an update: requests served by the old
# model count too, so an endpoint already failing before the update keeps the alarm in ALARM and rolls the
# update back (module README, "Deployment guardrails").
resource "aws_cloudwatch_metric_alarm" "endpoint" {
  for_each = local.endpoint_alarms

  alarm_name        = each.value.name
  alarm_description = "Rollout guardrail of SageMaker endpoint ${local.endpoint_name} (pipeline ${var.name}): while it is in ALARM during an endpoint update, SageMaker rolls the update back to the previous model. ${each.value.metric_name} ${each.value.statistic} > ${each.value.threshold} in ${each.value.datapoints_to_alarm} of ${each.value.evaluation_periods} period(s) of ${each.value.period_seconds} s. No actions: it pages no one."

  namespace   = "AWS/SageMaker"
  metric_name = each.value.metric_name
  dimensions = {
    EndpointName = local.endpoint_name
    VariantName  = local.endpoint_variant_name
  }

  # A percentile (pNN, pNN.N) is an extended statistic; CloudWatch takes one or the other.
  statistic          = startswith(each.value.statistic, "p") ? null : each.value.statistic
  extended_statistic = startswith(each.value.statistic, "p") ? each.value.statistic : null

  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  period              = each.value.period_seconds
  evaluation_periods  = each.value.evaluation_periods
  datapoints_to_alarm = each.value.datapoints_to_alarm
  treat_missing_data  = each.value.treat_missing_data

  tags = local.tags
}
