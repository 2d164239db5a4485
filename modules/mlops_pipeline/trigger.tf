resource "aws_cloudwatch_log_group" "trigger" {
  name              = local.trigger_log_group_name
  retention_in_days = var.observability.log_retention_days
  kms_key_id        = local.kms_key_arns.logs
  tags              = local.tags
}

resource "aws_lambda_function" "trigger" {
  #checkov:skip=CKV_AWS_116:Failed asynchronous invocations go to the SQS failure queue through the on-failure destination of aws_lambda_function_event_invoke_config.trigger, which also records the error; a DLQ would duplicate it
  #checkov:skip=CKV_AWS_117:The function only calls the Step Functions API (StartExecution) and reaches no VPC resource; a VPC would add a NAT or endpoint without protecting anything
  #checkov:skip=CKV_AWS_173:The environment holds only resource names, ARNs and the run layout, no secrets; Lambda encrypts it at rest with its AWS managed key
  #checkov:skip=CKV_AWS_272:The package is the committed deterministic zip built from this repository (make test checks it matches the sources); there is no signing profile to validate against
  #checkov:skip=CKV_AWS_50:Active X-Ray tracing is observability.lambda_tracing_mode = "Active" (with the X-Ray grants); the default keeps Lambda's own default, PassThrough
  function_name    = local.trigger_function_name
  description      = "Starts one run of pipeline ${var.name} per CSV uploaded under s3://${local.bucket_name}/${var.storage.input_prefix}."
  role             = aws_iam_role.this["trigger"].arn
  runtime          = "python3.12"
  handler          = "trigger.handler.handler"
  filename         = local.trigger_package_path
  source_code_hash = filebase64sha256(local.trigger_package_path)
  timeout          = 30
  memory_size      = 128
  # null = unreserved (the provider's -1).
  reserved_concurrent_executions = var.trigger.reserved_concurrent_executions
  tags                           = local.tags

  tracing_config {
    mode = var.observability.lambda_tracing_mode
  }

  environment {
    variables = merge({
      STATE_MACHINE_ARN = aws_sfn_state_machine.pipeline.arn
      PIPELINE_NAME     = var.name
      BUCKET_NAME       = local.bucket_name
      INPUT_PREFIX      = var.storage.input_prefix
      RUNS_PREFIX       = local.runs_prefix
      RUN_OUTPUTS       = jsonencode(local.run_outputs)
      }, var.tuning == null ? {} : {
      # Runs then get a tuning job name too (lambdas/trigger/naming.py); without tuning the input is unchanged.
      TUNING = "true"
      }, local.scoring_enabled ? {
      # Uploads under SCORING_PREFIX start runs of the scoring state machine (scoring.tf).
      SCORING_PREFIX            = var.scoring.prefix
      SCORING_STATE_MACHINE_ARN = aws_sfn_state_machine.scoring[0].arn
      PREDICTIONS_PREFIX        = local.predictions_prefix
      SCORING_OUTPUTS           = jsonencode(local.scoring_outputs)
    } : {})
  }

  # The log group (with its retention) must exist before the first invocation creates one without.
  depends_on = [aws_cloudwatch_log_group.trigger, aws_iam_role_policy.this]
}

# Failed asynchronous invocations (after Lambda's retries or past the maximum age) land here, so an upload
# whose run could not be started stays visible instead of being lost.
resource "aws_sqs_queue" "trigger_failures" {
  name                      = local.failure_queue_name
  message_retention_seconds = var.trigger.failure_queue_retention_seconds
  # SQS-managed SSE unless a KMS key is set (the two exclude each other).
  sqs_managed_sse_enabled = local.kms_key_arns.queue == null ? true : null
  kms_master_key_id       = local.kms_key_arns.queue
  tags                    = local.tags
}

resource "aws_lambda_function_event_invoke_config" "trigger" {
  function_name                = aws_lambda_function.trigger.function_name
  maximum_retry_attempts       = var.trigger.maximum_retry_attempts
  maximum_event_age_in_seconds = var.trigger.maximum_event_age_seconds

  destination_config {
    on_failure {
      destination = aws_sqs_queue.trigger_failures.arn
    }
  }
}

resource "aws_lambda_permission" "s3_invoke" {
  statement_id   = "AllowInvokeFromPipelineBucket"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.trigger.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.pipeline.arn
  source_account = local.account_id
}

resource "aws_s3_bucket_notification" "input_uploads" {
  bucket = aws_s3_bucket.pipeline.id

  lambda_function {
    lambda_function_arn = aws_lambda_function.trigger.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = var.storage.input_prefix
  }

  # Files to score (scoring.tf), to the same function, which routes them by prefix.
  dynamic "lambda_function" {
    for_each = local.scoring_enabled ? [var.scoring.prefix] : []
    content {
      lambda_function_arn = aws_lambda_function.trigger.arn
      events              = ["s3:ObjectCreated:*"]
      filter_prefix       = lambda_function.value
    }
  }

  # S3 checks that it may invoke the function when the notification is saved.
  depends_on = [aws_lambda_permission.s3_invoke]
}
