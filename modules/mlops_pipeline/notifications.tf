# Notifications people can act on: EventBridge rules turn the pipeline's events into short messages on an
# SNS topic (the module's, or notifications.topic_arn):
# - a run failed, timed out or was aborted: Step Functions' own "Execution Status Change" event, so a run
#   that dies outside its Fail states (a timeout, a StopExecution) is reported too; scoring runs as well;
# - an endpoint update rolled back: the same event with the error EndpointUpdateRolledBack (and only that
#   message for such a run);
# - a model awaits approval, a model was deployed: events the run puts on the default bus itself
#   (AnnounceAwaitingApproval, AnnounceDeployed), with source `mlops-pipeline.<name>`, since Step Functions'
#   event carries the run's output only as an opaque string no pattern or transformer can read into.
# Superseded runs (succeeded, nothing to do) and skipped uploads (no run) send nothing.

locals {
  creates_notification_topic = var.notifications.enabled && var.notifications.topic_arn == null
  notification_topic_arn     = !var.notifications.enabled ? null : (local.creates_notification_topic ? aws_sns_topic.notifications[0].arn : var.notifications.topic_arn)
  execution_console_url      = "https://${local.region}.console.aws.amazon.com/states/home?region=${local.region}#/v2/executions/details/"

  # Each message is one line: input transformers fill <variables> from the event (JSON-escaped inside the
  # quoted template); the delivered SNS message is that string.
  all_notification_rules = {
    run-failed = {
      description = "A run of pipeline ${var.name} failed, timed out or was aborted."
      pattern = jsonencode({
        source        = ["aws.states"]
        "detail-type" = ["Step Functions Execution Status Change"]
        detail = {
          stateMachineArn = concat([local.state_machine_arn], local.scoring_state_machine_arns)
          "$or" = [
            { status = ["TIMED_OUT", "ABORTED"] },
            { status = ["FAILED"], error = [{ "anything-but" = ["EndpointUpdateRolledBack"] }] },
          ]
        }
      })
      paths = {
        run       = "$.detail.name"
        status    = "$.detail.status"
        error     = "$.detail.error"
        cause     = "$.detail.cause"
        execution = "$.detail.executionArn"
      }
      template = "\"Pipeline ${var.name}: run <run> <status>. Error: <error>. Cause: <cause> Execution: ${local.execution_console_url}<execution>\""
    }
    endpoint-rolled-back = {
      description = "An endpoint update of pipeline ${var.name} rolled back (a rollback alarm tripped or the update failed)."
      pattern = jsonencode({
        source        = ["aws.states"]
        "detail-type" = ["Step Functions Execution Status Change"]
        detail = {
          stateMachineArn = [local.state_machine_arn]
          status          = ["FAILED"]
          error           = ["EndpointUpdateRolledBack"]
        }
      })
      paths = {
        run       = "$.detail.name"
        cause     = "$.detail.cause"
        execution = "$.detail.executionArn"
      }
      template = "\"Pipeline ${var.name}: the endpoint update of run <run> rolled back; the previous model still serves. <cause> Execution: ${local.execution_console_url}<execution>\""
    }
    model-awaiting-approval = {
      description = "A model of pipeline ${var.name} passed the quality gate and awaits approval."
      pattern = jsonencode({
        source        = [local.events_source]
        "detail-type" = ["Model Awaiting Approval"]
      })
      paths = {
        run     = "$.detail.run_id"
        version = "$.detail.model_package_version"
        arn     = "$.detail.model_package_arn"
        verdict = "$.detail.verdict"
      }
      template = "\"Pipeline ${var.name}: model version <version> awaits approval (run <run>). <verdict>. Approve: mlops-pipeline approve --pipeline ${var.name} --version <version> (or aws sagemaker update-model-package --model-package-arn <arn> --model-approval-status Approved).\""
    }
    model-deployed = {
      description = "A model of pipeline ${var.name} was deployed to its endpoint."
      pattern = jsonencode({
        source        = [local.events_source]
        "detail-type" = ["Model Deployed"]
      })
      paths = {
        run      = "$.detail.run_id"
        version  = "$.detail.model_package_version"
        endpoint = "$.detail.endpoint_name"
        action   = "$.detail.endpoint_action"
        strategy = "$.detail.deployment_strategy"
        kind     = "$.detail.started_by.kind"
        metric   = "$.detail.metric.name"
        value    = "$.detail.metric.value"
      }
      template = "\"Pipeline ${var.name}: model version <version> (<metric> <value>) serves on endpoint <endpoint> (<action>, strategy <strategy>); run <run> (started by: <kind>).\""
    }
  }
  notification_rules = { for kind, rule in local.all_notification_rules : kind => rule if var.notifications.enabled }
}

resource "aws_sns_topic" "notifications" {
  count = local.creates_notification_topic ? 1 : 0

  name = "${var.name}-notifications"
  # With a customer managed key its policy must let events.amazonaws.com use it (module README). Without
  # one the topic is unencrypted: EventBridge cannot publish to a topic under the AWS managed key alias/aws/sns,
  # whose policy no one can change.
  kms_master_key_id = local.kms_key_arns.queue
  tags              = local.tags
}

# Only this pipeline's rules may publish: the topic's whole policy is this one statement, so no other
# principal or account gets the default policy's rights.
data "aws_iam_policy_document" "notifications_topic" {
  count = local.creates_notification_topic ? 1 : 0

  statement {
    sid       = "PipelineNotificationRules"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.notifications[0].arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [for rule in aws_cloudwatch_event_rule.notifications : rule.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_sns_topic_policy" "notifications" {
  count = local.creates_notification_topic ? 1 : 0

  arn    = aws_sns_topic.notifications[0].arn
  policy = data.aws_iam_policy_document.notifications_topic[0].json
}

resource "aws_sns_topic_subscription" "notification_emails" {
  for_each = var.notifications.enabled ? toset(var.notifications.email_addresses) : toset([])

  topic_arn = local.notification_topic_arn
  protocol  = "email"
  endpoint  = each.value
}

resource "aws_cloudwatch_event_rule" "notifications" {
  for_each = local.notification_rules

  name          = "${var.name}-${each.key}"
  description   = each.value.description
  event_pattern = each.value.pattern
  tags          = local.tags
}

resource "aws_cloudwatch_event_target" "notifications" {
  for_each = local.notification_rules

  rule      = aws_cloudwatch_event_rule.notifications[each.key].name
  target_id = "notify"
  arn       = local.notification_topic_arn

  input_transformer {
    input_paths    = each.value.paths
    input_template = each.value.template
  }

  # The topic's policy names the rules: a target added before it would fail its first deliveries.
  depends_on = [aws_sns_topic_policy.notifications]
}
