# Scheduled retraining (retrain_schedule): EventBridge Scheduler invokes the trigger Lambda with
# {"retrain": {...}}; the trigger picks the newest data file under the input prefix and starts its run with the
# upload's naming, so a tick without new data starts nothing (lambdas/trigger/retraining.py).

locals {
  retrains          = var.retrain_schedule != null
  retrain_role_name = "${var.name}-scheduler"
}

data "aws_iam_policy_document" "scheduler_assume_role" {
  count = local.retrains ? 1 : 0

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    # Only this account's Scheduler may assume it (confused-deputy protection, as Scheduler documents).
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  count = local.retrains ? 1 : 0

  name                 = local.retrain_role_name
  path                 = var.security.iam_path
  permissions_boundary = var.security.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume_role[0].json
  tags                 = local.tags
}

data "aws_iam_policy_document" "scheduler" {
  count                   = local.retrains ? 1 : 0
  source_policy_documents = [data.aws_iam_policy_document.kms_key_uses["scheduler"].json]

  statement {
    sid       = "InvokeTrigger"
    actions   = ["lambda:InvokeFunction"]
    resources = [aws_lambda_function.trigger.arn]
  }

  # Scheduler sends a tick it could not deliver to the dead-letter queue with this role.
  statement {
    sid       = "SendUndeliveredTicks"
    actions   = ["sqs:SendMessage"]
    resources = [local.failure_queue_arn]
  }

}

resource "aws_iam_role_policy" "scheduler" {
  count = local.retrains ? 1 : 0

  name   = local.retrain_role_name
  role   = aws_iam_role.scheduler[0].id
  policy = data.aws_iam_policy_document.scheduler[0].json
}

resource "aws_scheduler_schedule" "retrain" {
  #checkov:skip=CKV_AWS_297:The schedule's target input is a retrain request (the schedule's own ARN and time placeholders and one boolean), no data; Scheduler encrypts it with an AWS owned key
  count = local.retrains ? 1 : 0

  name                         = "${var.name}-retrain"
  description                  = "Retrain pipeline ${var.name} on the newest data under s3://${local.bucket_name}/${var.storage.input_prefix}, unless its run exists."
  schedule_expression          = var.retrain_schedule.expression
  schedule_expression_timezone = var.retrain_schedule.timezone

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = aws_lambda_function.trigger.arn
    role_arn = aws_iam_role.scheduler[0].arn
    # Scheduler fills in the <aws.scheduler.*> placeholders on each tick.
    input = jsonencode({
      retrain = {
        schedule_arn      = "<aws.scheduler.schedule-arn>"
        scheduled_time    = "<aws.scheduler.scheduled-time>"
        retrain_unchanged = var.retrain_schedule.retrain_unchanged
      }
    })

    retry_policy {
      maximum_event_age_in_seconds = 3600
      maximum_retry_attempts       = 5
    }

    dead_letter_config {
      arn = aws_sqs_queue.trigger_failures.arn
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
