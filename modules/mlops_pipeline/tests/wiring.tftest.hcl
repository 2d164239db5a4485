# How the pieces are connected: S3 notification -> Lambda (env, async retries, failure queue) -> state
# machine; Glue job arguments; bucket protection and lifecycle.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "trigger_lambda_configuration" {
  command = plan

  variables {
    storage = {
      input_prefix = "uploads/csv/"
    }
  }

  assert {
    condition     = aws_lambda_function.trigger.runtime == "python3.12" && aws_lambda_function.trigger.handler == "trigger.handler.handler"
    error_message = "the trigger must run trigger.handler.handler on python3.12"
  }

  assert {
    condition     = abspath(aws_lambda_function.trigger.filename) == abspath("../../lambdas/trigger.zip") && aws_lambda_function.trigger.source_code_hash == filebase64sha256("../../lambdas/trigger.zip")
    error_message = "the trigger must deploy the committed package, and source_code_hash must follow it so a rebuilt zip redeploys"
  }

  assert {
    condition = (
      aws_lambda_function.trigger.environment[0].variables.PIPELINE_NAME == "churn-xgboost" &&
      aws_lambda_function.trigger.environment[0].variables.BUCKET_NAME == "churn-xgboost-123456789012-us-east-1" &&
      aws_lambda_function.trigger.environment[0].variables.INPUT_PREFIX == "uploads/csv/" &&
      aws_lambda_function.trigger.environment[0].variables.RUNS_PREFIX == "runs/"
    )
    error_message = "the trigger's PIPELINE_NAME / BUCKET_NAME / INPUT_PREFIX / RUNS_PREFIX are not wired"
  }

  # The run layout reaches the trigger, which places it under each run's prefix in the run input.
  assert {
    condition = jsondecode(aws_lambda_function.trigger.environment[0].variables.RUN_OUTPUTS) == {
      train      = "etl/train/"
      validation = "etl/validation/"
      rejected   = "etl/rejected/"
      manifest   = "etl/manifest.json"
      evaluation = "evaluation.json"
      model      = "model/"
    }
    error_message = "RUN_OUTPUTS must carry every output of the run layout"
  }

  assert {
    condition     = length(aws_s3_bucket_notification.input_uploads.lambda_function) == 1
    error_message = "exactly one Lambda notification expected"
  }

  assert {
    condition = (
      aws_s3_bucket_notification.input_uploads.lambda_function[0].filter_prefix == "uploads/csv/" &&
      aws_s3_bucket_notification.input_uploads.lambda_function[0].events == toset(["s3:ObjectCreated:*"])
    )
    error_message = "the notification must fire on s3:ObjectCreated:* under the input prefix only"
  }

  assert {
    condition     = aws_lambda_permission.s3_invoke.principal == "s3.amazonaws.com" && aws_lambda_permission.s3_invoke.source_account == "123456789012"
    error_message = "the S3 invoke permission must be limited to S3 in this account"
  }

  assert {
    condition     = aws_cloudwatch_log_group.trigger.name == "/aws/lambda/churn-xgboost-trigger" && aws_cloudwatch_log_group.trigger.retention_in_days == 30
    error_message = "the trigger's log group must be the one Lambda writes to, with retention"
  }
}

run "async_invocation_and_failure_queue" {
  command = plan

  variables {
    trigger = {
      maximum_retry_attempts    = 1
      maximum_event_age_seconds = 900
    }
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.trigger.maximum_retry_attempts == 1 && aws_lambda_function_event_invoke_config.trigger.maximum_event_age_in_seconds == 900
    error_message = "the async invoke config must carry the retry and event age settings"
  }

  assert {
    condition     = aws_lambda_function_event_invoke_config.trigger.function_name == "churn-xgboost-trigger"
    error_message = "the async invoke config must apply to the trigger function"
  }

  assert {
    condition     = aws_sqs_queue.trigger_failures.sqs_managed_sse_enabled == true && aws_sqs_queue.trigger_failures.name == "churn-xgboost-trigger-failures"
    error_message = "the failure queue must be encrypted (SQS-managed SSE)"
  }
}

# Known values of ARNs computed by AWS are only available after apply; the mock provider invents them.
run "destinations_point_at_the_created_resources" {
  command = apply

  override_resource {
    target = aws_sfn_state_machine.pipeline
    values = {
      arn = "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-pipeline"
    }
  }

  assert {
    condition     = aws_lambda_function.trigger.environment[0].variables.STATE_MACHINE_ARN == aws_sfn_state_machine.pipeline.arn
    error_message = "STATE_MACHINE_ARN must be the pipeline's state machine"
  }

  assert {
    condition     = contains(one([for s in data.aws_iam_policy_document.trigger.statement : s.resources if s.sid == "StartPipelineRuns"]), aws_sfn_state_machine.pipeline.arn)
    error_message = "the trigger must be allowed to start the state machine it is configured with"
  }

  assert {
    condition     = one(one(aws_lambda_function_event_invoke_config.trigger.destination_config).on_failure).destination == aws_sqs_queue.trigger_failures.arn
    error_message = "failed invocations must go to the failure queue"
  }

  assert {
    condition     = aws_s3_bucket_notification.input_uploads.lambda_function[0].lambda_function_arn == aws_lambda_function.trigger.arn
    error_message = "the notification must invoke the trigger function"
  }

  assert {
    condition     = aws_lambda_permission.s3_invoke.source_arn == aws_s3_bucket.pipeline.arn
    error_message = "the invoke permission must be limited to the pipeline bucket"
  }

  assert {
    condition     = output.state_machine_arn == aws_sfn_state_machine.pipeline.arn && output.failure_queue_url == aws_sqs_queue.trigger_failures.url
    error_message = "outputs must expose the created state machine and queue"
  }

  assert {
    condition     = one(aws_sfn_state_machine.pipeline.logging_configuration).log_destination == "${aws_cloudwatch_log_group.state_machine.arn}:*"
    error_message = "the state machine must log to its log group"
  }
}

# Execution data (inputs, outputs, parameters) stays out of the logs unless asked for.
run "execution_data_not_logged_by_default" {
  command = plan

  assert {
    condition     = one(aws_sfn_state_machine.pipeline.logging_configuration).include_execution_data == false && output.settings.observability.state_machine_include_execution_data == false
    error_message = "the state machine must not log execution data unless observability.state_machine_include_execution_data is true"
  }

  assert {
    condition     = one(aws_sfn_state_machine.pipeline.logging_configuration).level == "ERROR"
    error_message = "the default log level must stay ERROR"
  }
}

run "execution_data_logged_when_asked" {
  command = plan

  variables {
    observability = {
      state_machine_log_level              = "ALL"
      state_machine_include_execution_data = true
    }
  }

  assert {
    condition     = one(aws_sfn_state_machine.pipeline.logging_configuration).include_execution_data == true && one(aws_sfn_state_machine.pipeline.logging_configuration).level == "ALL"
    error_message = "observability.state_machine_include_execution_data = true must reach the state machine's logging configuration"
  }
}

run "glue_job_arguments" {
  command = plan

  variables {
    etl = {
      train_fraction        = 0.7
      label_column          = 3
      input_has_header      = true
      min_valid_rows        = 50
      max_rejected_fraction = 0.05
    }
  }

  assert {
    condition = aws_glue_job.etl.default_arguments == tomap({
      "--job-language"           = "python"
      "--train_fraction"         = "0.7"
      "--label_column"           = "3"
      "--has_header"             = "true"
      "--min_valid_rows"         = "50"
      "--max_rejected_fraction"  = "0.05"
      "--custom-logGroup-prefix" = "/aws-glue/jobs/churn-xgboost-etl"
    })
    error_message = "the Glue job's default arguments do not carry the ETL settings"
  }

  assert {
    condition     = aws_glue_job.etl.default_arguments["--has_header"] == "true" && !contains(keys(aws_glue_job.etl.default_arguments), "--expected_columns")
    error_message = "--expected_columns must be absent unless expected_columns is set"
  }

  assert {
    condition = (
      aws_glue_job.etl.glue_version == "5.0" && aws_glue_job.etl.execution_class == "STANDARD" &&
      aws_glue_job.etl.worker_type == "G.1X" && aws_glue_job.etl.number_of_workers == 2
    )
    error_message = "Glue 5.0, STANDARD execution class and G.1X x 2 are the defaults"
  }

  assert {
    condition     = one(aws_glue_job.etl.command).script_location == "s3://churn-xgboost-123456789012-us-east-1/scripts/etl_job.py"
    error_message = "the Glue job must run the uploaded script"
  }
}

run "expected_columns_passed_when_set" {
  command = plan

  variables {
    etl = {
      expected_columns = 70
    }
  }

  assert {
    condition     = aws_glue_job.etl.default_arguments["--expected_columns"] == "70"
    error_message = "expected_columns must reach the Glue job as --expected_columns"
  }
}

run "bucket_protection_and_lifecycle" {
  command = plan

  variables {
    storage = {
      run_data_expiration_days = 14
    }
  }

  assert {
    condition     = one(aws_s3_bucket_versioning.pipeline.versioning_configuration).status == "Enabled"
    error_message = "the bucket must be versioned"
  }

  assert {
    condition = (
      aws_s3_bucket_public_access_block.pipeline.block_public_acls && aws_s3_bucket_public_access_block.pipeline.block_public_policy &&
      aws_s3_bucket_public_access_block.pipeline.ignore_public_acls && aws_s3_bucket_public_access_block.pipeline.restrict_public_buckets
    )
    error_message = "all public access must be blocked"
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.bucket.statement : s if s.effect == "Deny" && anytrue([
        for c in s.condition : c.variable == "aws:SecureTransport" && contains(c.values, "false")
      ])
    ]) != null
    error_message = "the bucket policy must deny requests without TLS"
  }

  assert {
    condition = anytrue([
      for rule in aws_s3_bucket_lifecycle_configuration.pipeline.rule :
      try(one(rule.filter).prefix, "") == "runs/" && try(one(rule.expiration).days, 0) == 14
    ])
    error_message = "objects under runs/ must expire after run_data_expiration_days"
  }

  assert {
    condition = anytrue([
      for rule in aws_s3_bucket_lifecycle_configuration.pipeline.rule :
      try(one(rule.noncurrent_version_expiration).noncurrent_days, 0) == 14
    ])
    error_message = "noncurrent versions must expire"
  }

  assert {
    condition     = one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256"
    error_message = "the bucket must be encrypted by default"
  }
}
