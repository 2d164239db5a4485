# Batch scoring on upload (`scoring`, null = nothing here is created). A CSV under `scoring.prefix` makes the
# trigger start a run of the `<name>-scoring` state machine (statemachine/scoring.asl.json.tftpl): count the
# input rows (the `<name>-scoring-rows` function), find the model the endpoint serves now (else the newest
# Approved version of the registry), run a SageMaker batch transform job over the uploaded object only,
# check rows out == rows in, and write `predictions/<run id>/manifest.json` beside the predictions.
# A second state machine rather than a branch of the training one: each definition stays readable, and the
# two roles grant only what their own runs do.

locals {
  scoring_enabled = var.scoring != null
  # The trigger derives the runs' names from these (lambdas/trigger/naming.py), as for training runs.
  scoring_state_machine_name = "${var.name}-scoring"
  scoring_state_machine_arn  = "arn:${local.partition}:states:${local.arn_prefix_regional}:stateMachine:${local.scoring_state_machine_name}"
  scoring_log_group_name     = "/aws/vendedlogs/states/${local.scoring_state_machine_name}"
  scoring_rows_function_name = "${var.name}-scoring-rows"
  scoring_rows_function_arn  = "arn:${local.partition}:lambda:${local.arn_prefix_regional}:function:${local.scoring_rows_function_name}"
  scoring_rows_log_group     = "/aws/lambda/${local.scoring_rows_function_name}"
  scoring_role_names = {
    state_machine = "${var.name}-scoring"
    rows          = "${var.name}-scoring-rows"
  }
  # The state machine ARNs the run-failed notification covers (notifications.tf).
  scoring_state_machine_arns = local.scoring_enabled ? [local.scoring_state_machine_arn] : []

  scoring_objects_arn     = local.scoring_enabled ? "${local.bucket_arn}/${var.scoring.prefix}*" : null
  predictions_objects_arn = "${local.bucket_arn}/${local.predictions_prefix}*"
  transform_input_arn     = "${local.bucket_arn}/${local.runs_prefix}*/${local.scoring_outputs.transform_input}"
  transform_job_arn       = "${local.sagemaker_arn_prefix}:transform-job/${var.name}${local.sagemaker_name_separator}*"

  # The template's variables (statemachine/render.py renders the same definition from them).
  scoring_template_variables = local.scoring_enabled ? {
    endpoint_name            = local.endpoint_name
    model_package_group_name = local.model_package_group_name
    sagemaker_role_arn       = local.sagemaker_role_arn
    sagemaker_kms_key_arn    = local.kms_key_arns.sagemaker
    rows_function_arn        = local.scoring_rows_function_arn
    rows_function_name       = local.scoring_rows_function_name
    scoring                  = var.scoring
    # A model created from a registry version runs in the training's network settings, as the deployed ones.
    model_network = {
      vpc                      = var.training.vpc
      enable_network_isolation = var.training.enable_network_isolation
    }
    # ModelClientConfig as CreateTransformJob takes it, unset fields left out; null = SageMaker's defaults.
    model_client_config = var.scoring.invocations_timeout_seconds == null && var.scoring.invocations_max_retries == null ? null : {
      for field, value in {
        InvocationsTimeoutInSeconds = var.scoring.invocations_timeout_seconds
        InvocationsMaxRetries       = var.scoring.invocations_max_retries
      } : field => value if value != null
    }
  } : null
  # A `for` with a condition renders nothing without scoring (a conditional would evaluate both branches).
  scoring_definition = one([
    for variables in compact([local.scoring_enabled ? "on" : ""]) :
    templatefile(local.scoring_template_path, local.scoring_template_variables)
  ])
}

# ---------------------------------------------------------------------------------------------------------
# The row counter: the count of records SageMaker splits the input into (SplitType=Line), before and after.
# ---------------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "scoring_rows" {
  count = local.scoring_enabled ? 1 : 0

  name              = local.scoring_rows_log_group
  retention_in_days = var.observability.log_retention_days
  kms_key_id        = local.kms_key_arns.logs
  tags              = local.tags
}

data "aws_iam_policy_document" "scoring_assume_role" {
  for_each = local.scoring_enabled ? { state_machine = "states.amazonaws.com", rows = "lambda.amazonaws.com" } : {}

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = [each.value]
    }

    dynamic "condition" {
      for_each = each.key == "state_machine" ? [local.account_id] : []
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "scoring" {
  for_each = local.scoring_enabled ? local.scoring_role_names : {}

  name                 = each.value
  path                 = var.security.iam_path
  permissions_boundary = var.security.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.scoring_assume_role[each.key].json
  tags                 = local.tags
}

data "aws_iam_policy_document" "scoring_rows" {
  count = local.scoring_enabled ? 1 : 0
  source_policy_documents = [
    data.aws_iam_policy_document.lambda_observability.json,
    data.aws_iam_policy_document.kms_key_uses["scoring_rows"].json,
  ]

  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn_prefix}${local.scoring_rows_log_group}:*"]
  }

  # The uploaded version (GetObject with VersionId is s3:GetObjectVersion) and the key's current one (HEAD).
  statement {
    sid       = "ReadScoringInput"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [local.scoring_objects_arn]
  }

  statement {
    sid       = "ReadPredictions"
    actions   = ["s3:GetObject"]
    resources = [local.predictions_objects_arn]
  }
}

resource "aws_lambda_function" "scoring_rows" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by the scoring state machine, which retries and reports its errors; a DLQ applies to asynchronous invocations only
  #checkov:skip=CKV_AWS_117:The function only reads the pipeline bucket through the S3 API and reaches no VPC resource
  #checkov:skip=CKV_AWS_173:The environment holds no variable at all
  #checkov:skip=CKV_AWS_272:The package is the committed deterministic zip built from this repository (make test checks it matches the sources); there is no signing profile to validate against
  #checkov:skip=CKV_AWS_50:Active X-Ray tracing is observability.lambda_tracing_mode = "Active"; the default keeps Lambda's own default, PassThrough
  #checkov:skip=CKV_AWS_115:Called once or twice per scoring run by the state machine only; a reserved concurrency would take capacity from the account for nothing
  count = local.scoring_enabled ? 1 : 0

  function_name    = local.scoring_rows_function_name
  description      = "Counts the rows of a file scored by pipeline ${var.name} and of its predictions (SplitType=Line records)."
  role             = aws_iam_role.scoring["rows"].arn
  runtime          = "python3.12"
  handler          = "trigger.scoring_rows.handler"
  filename         = local.trigger_package_path
  source_code_hash = filebase64sha256(local.trigger_package_path)
  # Streams the object in constant memory; Lambda's longest timeout bounds the file size (a few tens of GB).
  timeout     = 900
  memory_size = 256
  tags        = local.tags

  tracing_config {
    mode = var.observability.lambda_tracing_mode
  }

  depends_on = [aws_cloudwatch_log_group.scoring_rows, aws_iam_role_policy.scoring_rows]
}

resource "aws_iam_role_policy" "scoring_rows" {
  count = local.scoring_enabled ? 1 : 0

  name   = "${local.scoring_role_names.rows}-permissions"
  role   = aws_iam_role.scoring["rows"].id
  policy = data.aws_iam_policy_document.scoring_rows[0].json
}

# ---------------------------------------------------------------------------------------------------------
# The scoring state machine's role.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "scoring_state_machine" {
  count = local.scoring_enabled ? 1 : 0
  source_policy_documents = [
    data.aws_iam_policy_document.state_machine_observability.json,
    data.aws_iam_policy_document.kms_key_uses["scoring_state_machine"].json,
  ]

  statement {
    sid       = "CountRows"
    actions   = ["lambda:InvokeFunction"]
    resources = [local.scoring_rows_function_arn]
  }

  # The Step Functions developer guide's policy for createTransformJob.sync lists ListTags besides these.
  statement {
    sid = "RunTransformJobs"
    actions = [
      "sagemaker:CreateTransformJob",
      "sagemaker:DescribeTransformJob",
      "sagemaker:StopTransformJob",
      "sagemaker:ListTags",
    ]
    resources = [local.transform_job_arn]
  }

  # createTransformJob.sync learns of job completion through this Step Functions-managed rule.
  statement {
    sid       = "ManagedSageMakerTransformRule"
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = ["arn:${local.partition}:events:${local.arn_prefix_regional}:rule/StepFunctionsGetEventsForSageMakerTransformJobsRule"]
  }

  # The model the endpoint serves: the endpoint, then its current endpoint config.
  statement {
    sid       = "ReadServingModel"
    actions   = ["sagemaker:DescribeEndpoint", "sagemaker:DescribeEndpointConfig"]
    resources = [local.sagemaker_arns.endpoint, local.sagemaker_arns.endpoint_config]
  }

  statement {
    sid     = "ListEndpoints"
    actions = ["sagemaker:ListEndpoints"]
    # sagemaker:ListEndpoints has no resource-level permissions (it lists the account's endpoints): it must
    # be granted on "*". The run uses it only to find out whether its own endpoint exists.
    resources = ["*"]
  }

  # Without a serving endpoint: the newest Approved version. ListModelPackages is authorized on the group's
  # packages (the Service Authorization Reference's model-package resource), DescribeModelPackage (CreateModel
  # from a version reads it as its caller) on the versions.
  statement {
    sid       = "FindApprovedVersions"
    actions   = ["sagemaker:ListModelPackages", "sagemaker:DescribeModelPackage"]
    resources = [local.sagemaker_arns.model_package]
  }

  statement {
    sid       = "CreateModels"
    actions   = ["sagemaker:CreateModel"]
    resources = [local.sagemaker_arns.model]
  }

  statement {
    sid       = "PassSageMakerRole"
    actions   = ["iam:PassRole"]
    resources = [local.sagemaker_role_arn]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  # The transform job's input manifest (under the run's prefix) and the scoring manifest (beside the
  # predictions): those two keys only.
  statement {
    sid     = "WriteManifests"
    actions = ["s3:PutObject"]
    resources = [
      local.transform_input_arn,
      "${local.bucket_arn}/${local.predictions_prefix}*/${local.scoring_outputs.manifest}",
    ]
  }
}

resource "aws_iam_role_policy" "scoring_state_machine" {
  count = local.scoring_enabled ? 1 : 0

  name   = "${local.scoring_role_names.state_machine}-permissions"
  role   = aws_iam_role.scoring["state_machine"].id
  policy = data.aws_iam_policy_document.scoring_state_machine[0].json
}

# ---------------------------------------------------------------------------------------------------------
# What scoring adds to the other roles: the SageMaker role reads the files to score and the transform
# input, and writes predictions; the trigger starts scoring runs. Policies of their own, so they exist
# only with scoring.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "sagemaker_scoring" {
  count = local.scoring_enabled ? 1 : 0

  statement {
    sid       = "ReadScoringInput"
    actions   = ["s3:GetObject"]
    resources = [local.scoring_objects_arn, local.transform_input_arn]
  }

  statement {
    sid       = "WritePredictions"
    actions   = ["s3:PutObject"]
    resources = [local.predictions_objects_arn]
  }

  statement {
    sid       = "WriteTransformJobLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn_prefix}/aws/sagemaker/TransformJobs", "${local.log_group_arn_prefix}/aws/sagemaker/TransformJobs:*"]
  }
}

resource "aws_iam_role_policy" "sagemaker_scoring" {
  count = local.scoring_enabled ? 1 : 0

  name   = "${local.role_names.sagemaker}-scoring"
  role   = aws_iam_role.this["sagemaker"].id
  policy = data.aws_iam_policy_document.sagemaker_scoring[0].json
}

data "aws_iam_policy_document" "trigger_scoring" {
  count = local.scoring_enabled ? 1 : 0

  statement {
    sid       = "StartScoringRuns"
    actions   = ["states:StartExecution"]
    resources = [local.scoring_state_machine_arn]
  }
}

resource "aws_iam_role_policy" "trigger_scoring" {
  count = local.scoring_enabled ? 1 : 0

  name   = "${local.role_names.trigger}-scoring"
  role   = aws_iam_role.this["trigger"].id
  policy = data.aws_iam_policy_document.trigger_scoring[0].json
}

# ---------------------------------------------------------------------------------------------------------
# The state machine.
# ---------------------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "scoring" {
  count = local.scoring_enabled ? 1 : 0

  name              = local.scoring_log_group_name
  retention_in_days = var.observability.log_retention_days
  kms_key_id        = local.kms_key_arns.logs
  tags              = local.tags
}

resource "aws_sfn_state_machine" "scoring" {
  #checkov:skip=CKV_AWS_284:X-Ray tracing is observability.state_machine_tracing = true, as for the pipeline's state machine
  #checkov:skip=CKV_AWS_285:Execution data is logged only with observability.state_machine_include_execution_data = true, as for the pipeline's state machine
  count = local.scoring_enabled ? 1 : 0

  name       = local.scoring_state_machine_name
  role_arn   = aws_iam_role.scoring["state_machine"].arn
  definition = local.scoring_definition
  type       = "STANDARD"
  tags       = local.tags

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.scoring[0].arn}:*"
    include_execution_data = local.state_machine_logging.include_execution_data
    level                  = local.state_machine_logging.level
  }

  tracing_configuration {
    enabled = local.state_machine_tracing_enabled
  }

  depends_on = [aws_iam_role_policy.scoring_state_machine, aws_iam_role_policy.sagemaker_scoring]
}
