# Batch scoring on upload (scoring.tf): the input's validation, what it creates and omits, the trigger's
# wiring, and the scoping of every grant.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "nothing_without_scoring" {
  command = plan

  assert {
    condition     = length(aws_sfn_state_machine.scoring) == 0 && length(aws_lambda_function.scoring_rows) == 0 && length(aws_iam_role.scoring) == 0 && length(aws_iam_role_policy.sagemaker_scoring) == 0 && length(aws_iam_role_policy.trigger_scoring) == 0 && length(aws_cloudwatch_log_group.scoring) == 0
    error_message = "without scoring no scoring resource is created"
  }

  assert {
    condition     = output.scoring_state_machine_arn == null && output.scoring_state_machine_definition == null && output.predictions_s3_uri == null
    error_message = "without scoring the scoring outputs are null"
  }

  assert {
    condition     = length([for name in keys(aws_lambda_function.trigger.environment[0].variables) : name if startswith(name, "SCORING") || name == "PREDICTIONS_PREFIX"]) == 0
    error_message = "without scoring the trigger gets no scoring variable"
  }

  assert {
    condition     = length(aws_s3_bucket_notification.input_uploads.lambda_function) == 1
    error_message = "without scoring only the input prefix notifies the trigger"
  }
}

run "scoring_creates_its_state_machine_function_and_roles" {
  command = plan

  variables {
    scoring = { prefix = "score/" }
  }

  assert {
    condition     = aws_sfn_state_machine.scoring[0].name == "churn-xgboost-scoring" && aws_lambda_function.scoring_rows[0].function_name == "churn-xgboost-scoring-rows" && aws_lambda_function.scoring_rows[0].handler == "trigger.scoring_rows.handler"
    error_message = "scoring creates <name>-scoring and <name>-scoring-rows"
  }

  assert {
    condition     = toset([for role in aws_iam_role.scoring : role.name]) == toset(["churn-xgboost-scoring", "churn-xgboost-scoring-rows"])
    error_message = "the scoring state machine and the row counter have roles of their own"
  }

  assert {
    condition     = aws_cloudwatch_log_group.scoring[0].name == "/aws/vendedlogs/states/churn-xgboost-scoring"
    error_message = "the scoring state machine logs to its own group"
  }

  assert {
    condition     = [for notification in aws_s3_bucket_notification.input_uploads.lambda_function : notification.filter_prefix] == ["input/", "score/"]
    error_message = "the scoring prefix notifies the same trigger function"
  }

  assert {
    condition = {
      for name, value in aws_lambda_function.trigger.environment[0].variables : name => value
      if contains(["SCORING_PREFIX", "PREDICTIONS_PREFIX", "SCORING_OUTPUTS"], name)
      } == {
      SCORING_PREFIX     = "score/"
      PREDICTIONS_PREFIX = "predictions/"
      SCORING_OUTPUTS    = jsonencode({ transform_input = "scoring/transform-input.manifest", manifest = "manifest.json" })
    }
    error_message = "the trigger learns the scoring prefix and layout"
  }

  assert {
    condition     = output.scoring_s3_uri == "s3://churn-xgboost-123456789012-us-east-1/score/" && output.predictions_s3_uri == "s3://churn-xgboost-123456789012-us-east-1/predictions/"
    error_message = "the outputs name where to upload and where predictions land"
  }

  assert {
    condition     = contains(jsondecode(aws_cloudwatch_event_rule.notifications["run-failed"].event_pattern).detail.stateMachineArn, "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-scoring")
    error_message = "a failed scoring run is notified like a failed training run"
  }
}

run "rendered_transform_job" {
  command = plan

  variables {
    scoring = { prefix = "score/", instance_type = "ml.c5.xlarge", instance_count = 2, max_payload_mb = 10, max_concurrent_transforms = 4, join_input = true, invocations_timeout_seconds = 120, invocations_max_retries = 1, max_runtime_seconds = 7200 }
  }

  assert {
    condition = jsondecode(output.scoring_state_machine_definition).States.Transform.Parameters == {
      "TransformJobName.$" = "$.names.transform_job"
      "ModelName.$"        = "$.model.name"
      TransformInput = {
        DataSource      = { S3DataSource = { S3DataType = "ManifestFile", "S3Uri.$" = "$.outputs.transform_input" } }
        ContentType     = "text/csv"
        CompressionType = "None"
        SplitType       = "Line"
      }
      TransformOutput         = { "S3OutputPath.$" = "$.outputs.predictions_prefix", Accept = "text/csv", AssembleWith = "Line" }
      TransformResources      = { InstanceType = "ml.c5.xlarge", InstanceCount = 2 }
      MaxConcurrentTransforms = 4
      ModelClientConfig       = { InvocationsTimeoutInSeconds = 120, InvocationsMaxRetries = 1 }
      DataProcessing          = { JoinSource = "Input" }
      BatchStrategy           = "MultiRecord"
      MaxPayloadInMB          = 10
    }
    error_message = "the transform job follows the scoring settings"
  }

  assert {
    condition     = jsondecode(output.scoring_state_machine_definition).States.Transform.TimeoutSeconds == 7200
    error_message = "max_runtime_seconds bounds the transform step"
  }
}

run "defaults_leave_optional_transform_settings_out" {
  command = plan

  variables {
    scoring = { prefix = "score/" }
  }

  assert {
    condition     = length(setintersection(keys(jsondecode(output.scoring_state_machine_definition).States.Transform.Parameters), ["MaxConcurrentTransforms", "ModelClientConfig", "DataProcessing"])) == 0
    error_message = "unset optional settings are left to SageMaker; join_input = false is JoinSource None (no DataProcessing)"
  }

  assert {
    condition     = jsondecode(output.scoring_state_machine_definition).States.Transform.Parameters.MaxPayloadInMB == 6 && jsondecode(output.scoring_state_machine_definition).States.Transform.Parameters.TransformResources == { InstanceType = "ml.m5.large", InstanceCount = 1 }
    error_message = "defaults: 6 MB mini-batches on one ml.m5.large"
  }
}

run "kms_key_encrypts_predictions" {
  command = plan

  variables {
    scoring  = { prefix = "score/" }
    security = { kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }

  assert {
    condition     = jsondecode(output.scoring_state_machine_definition).States.Transform.Parameters.TransformOutput.KmsKeyId == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" && jsondecode(output.scoring_state_machine_definition).States.Transform.Parameters.TransformResources.VolumeKmsKeyId == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "with a SageMaker key the predictions and the transform volumes are encrypted with it"
  }

  assert {
    condition     = contains([for s in data.aws_iam_policy_document.kms_key_uses["scoring_state_machine"].statement : s.sid], "UseSageMakerKey") && contains([for s in data.aws_iam_policy_document.kms_key_uses["scoring_rows"].statement : s.sid], "DecryptThroughS3")
    error_message = "with keys the scoring roles may use them through their services"
  }
}

run "grants_are_scoped" {
  command = plan

  variables {
    scoring = { prefix = "score/" }
  }

  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.scoring_state_machine[0].statement : s.sid => sort(s.resources) if s.sid != "ListEndpoints" }) == jsonencode({
      CountRows                     = ["arn:aws:lambda:us-east-1:123456789012:function:churn-xgboost-scoring-rows"]
      RunTransformJobs              = ["arn:aws:sagemaker:us-east-1:123456789012:transform-job/churn-xgboost--*"]
      ManagedSageMakerTransformRule = ["arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule"]
      ReadServingModel              = ["arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/churn-xgboost--*", "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-xgboost-endpoint"]
      FindApprovedVersions          = ["arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/*"]
      CreateModels                  = ["arn:aws:sagemaker:us-east-1:123456789012:model/churn-xgboost--*"]
      PassSageMakerRole             = ["arn:aws:iam::123456789012:role/churn-xgboost-sagemaker"]
      WriteManifests                = ["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/predictions/*/manifest.json", "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*/scoring/transform-input.manifest"]
    })

    error_message = "the scoring state machine's grants are this pipeline's names and keys only"
  }

  assert {
    condition     = toset(flatten([for s in data.aws_iam_policy_document.scoring_state_machine[0].statement : s.actions if s.sid == "RunTransformJobs"])) == toset(["sagemaker:CreateTransformJob", "sagemaker:DescribeTransformJob", "sagemaker:StopTransformJob", "sagemaker:ListTags"])
    error_message = "createTransformJob.sync needs create, describe, stop (and ListTags) on the transform jobs"
  }

  assert {
    condition     = jsonencode(one([for s in data.aws_iam_policy_document.scoring_state_machine[0].statement : s.condition if s.sid == "PassSageMakerRole"])) == jsonencode([{ test = "StringEquals", values = ["sagemaker.amazonaws.com"], variable = "iam:PassedToService" }])
    error_message = "the SageMaker role is passed to SageMaker only"
  }

  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.scoring_rows[0].statement : s.sid => sort(s.resources) }) == jsonencode({
      WriteOwnLogs     = ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/churn-xgboost-scoring-rows:*"]
      ReadScoringInput = ["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/score/*"]
      ReadPredictions  = ["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/predictions/*"]
    })

    error_message = "the row counter reads the files to score and the predictions only"
  }

  assert {
    condition = jsonencode({ for s in data.aws_iam_policy_document.sagemaker_scoring[0].statement : s.sid => sort(s.resources) if s.sid != "WriteTransformJobLogs" }) == jsonencode({
      ReadScoringInput = ["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*/scoring/transform-input.manifest", "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/score/*"]
      WritePredictions = ["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/predictions/*"]
    })

    error_message = "the SageMaker role reads the files to score and writes predictions, nothing more"
  }

  assert {
    condition     = one(data.aws_iam_policy_document.trigger_scoring[0].statement).resources == toset(["arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-scoring"])
    error_message = "the trigger may start the scoring state machine"
  }
}

run "scoring_prefix_must_be_a_folder" {
  command = plan

  variables {
    scoring = { prefix = "score" }
  }

  expect_failures = [var.scoring]
}

run "scoring_prefix_must_not_overlap_the_input_prefix" {
  command = plan

  variables {
    scoring = { prefix = "input/score/" }
  }

  expect_failures = [var.scoring]
}

run "input_prefix_must_not_lie_under_the_scoring_prefix" {
  command = plan

  variables {
    storage = { input_prefix = "data/input/" }
    scoring = { prefix = "data/" }
  }

  expect_failures = [var.scoring]
}

run "scoring_prefix_must_not_be_the_pipelines_own" {
  command = plan

  variables {
    scoring = { prefix = "predictions/" }
  }

  expect_failures = [var.scoring]
}

run "scoring_prefix_must_not_lie_under_runs" {
  command = plan

  variables {
    scoring = { prefix = "runs/score/" }
  }

  expect_failures = [var.scoring]
}

run "instance_type_is_an_ml_type" {
  command = plan

  variables {
    scoring = { prefix = "score/", instance_type = "m5.large" }
  }

  expect_failures = [var.scoring]
}

run "instance_count_is_whole_and_positive" {
  command = plan

  variables {
    scoring = { prefix = "score/", instance_count = 0 }
  }

  expect_failures = [var.scoring]
}

run "max_payload_is_within_sagemakers_range" {
  command = plan

  variables {
    scoring = { prefix = "score/", max_payload_mb = 101 }
  }

  expect_failures = [var.scoring]
}

run "concurrency_times_payload_is_at_most_100" {
  command = plan

  variables {
    scoring = { prefix = "score/", max_payload_mb = 6, max_concurrent_transforms = 20 }
  }

  expect_failures = [var.scoring]
}

run "invocations_timeout_is_within_sagemakers_range" {
  command = plan

  variables {
    scoring = { prefix = "score/", invocations_timeout_seconds = 3601 }
  }

  expect_failures = [var.scoring]
}

run "invocations_retries_are_at_most_3" {
  command = plan

  variables {
    scoring = { prefix = "score/", invocations_max_retries = 4 }
  }

  expect_failures = [var.scoring]
}

run "max_runtime_is_at_least_a_minute" {
  command = plan

  variables {
    scoring = { prefix = "score/", max_runtime_seconds = 10 }
  }

  expect_failures = [var.scoring]
}
