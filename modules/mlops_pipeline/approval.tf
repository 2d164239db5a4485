# Manual approval (approval_mode = "manual"): a model that passed the gate waits in the registry as
# PendingManualApproval; a person's approval of a version of this pipeline's group starts a run that deploys
# exactly that version. The trigger Lambda turns the event into the run, with the upload's naming and
# idempotency rules (a re-delivered event starts nothing twice; lambdas/trigger/approvals.py).
#
# The pattern filters on the group and on Approved. SageMaker sends this event on every change of every
# version in the account, creation included: unfiltered, the rule would start a run for each.
#
# In auto mode there is no rule: the run registers its model Approved and deploys it itself, and SageMaker's
# creation event would otherwise deploy the same version a second time.

locals {
  approval_rule_name = "${var.name}-model-approved"
}

resource "aws_cloudwatch_event_rule" "model_approved" {
  count = var.approval_mode == "manual" ? 1 : 0

  name        = local.approval_rule_name
  description = "A version of model package group ${local.model_package_group_name} was approved: deploy it (pipeline ${var.name})."
  event_pattern = jsonencode({
    source        = ["aws.sagemaker"]
    "detail-type" = ["SageMaker Model Package State Change"]
    detail = {
      ModelPackageGroupName = [local.model_package_group_name]
      ModelApprovalStatus   = ["Approved"]
    }
  })
  tags = local.tags
}

resource "aws_cloudwatch_event_target" "model_approved" {
  count = var.approval_mode == "manual" ? 1 : 0

  rule      = aws_cloudwatch_event_rule.model_approved[0].name
  target_id = "start-approval-run"
  arn       = aws_lambda_function.trigger.arn

  # An approval EventBridge could not hand to Lambda (after its retries) lands in the trigger's failure
  # queue beside the uploads whose runs could not start: an approval is never silently lost.
  dead_letter_config {
    arn = aws_sqs_queue.trigger_failures.arn
  }
}

resource "aws_lambda_permission" "approval_events" {
  count = var.approval_mode == "manual" ? 1 : 0

  statement_id   = "AllowInvokeFromApprovalRule"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.trigger.function_name
  principal      = "events.amazonaws.com"
  source_arn     = aws_cloudwatch_event_rule.model_approved[0].arn
  source_account = local.account_id
}

# The dead-letter queue of the approval rule: EventBridge sends to it as its service principal, so the
# queue's policy must allow that rule, and only it.
data "aws_iam_policy_document" "trigger_failures_queue" {
  count = var.approval_mode == "manual" ? 1 : 0

  statement {
    sid       = "ApprovalRuleDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.trigger_failures.arn]

    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.model_approved[0].arn]
    }
  }
}

resource "aws_sqs_queue_policy" "trigger_failures" {
  count = var.approval_mode == "manual" ? 1 : 0

  queue_url = aws_sqs_queue.trigger_failures.id
  policy    = data.aws_iam_policy_document.trigger_failures_queue[0].json
}
