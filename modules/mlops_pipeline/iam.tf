# One role per component, each with one inline policy. Resources are scoped to this pipeline's bucket and
# prefixes, its Glue job, its SageMaker names (`<name>-*`, endpoint by exact name), its state machine and
# queue. The few `"*"` resources are APIs without resource-level permissions; each is commented.

locals {
  log_group_arn_prefix = "arn:${local.partition}:logs:${local.arn_prefix_regional}:log-group:"
  failure_queue_arn    = "arn:${local.partition}:sqs:${local.arn_prefix_regional}:${local.failure_queue_name}"
  input_objects_arn    = "${local.bucket_arn}/${var.storage.input_prefix}*"
  runs_objects_arn     = "${local.bucket_arn}/${local.runs_prefix}*"
  # Objects of any run under a prefix of the run layout (main.tf), e.g. runs/*/model/*.
  etl_output_objects_arn = "${local.bucket_arn}/${local.runs_prefix}*/${local.etl_output_prefix}*"
  model_objects_arn      = "${local.bucket_arn}/${local.runs_prefix}*/${local.model_prefix}*"
}

data "aws_iam_policy_document" "assume_role" {
  for_each = {
    trigger       = "lambda.amazonaws.com"
    glue          = "glue.amazonaws.com"
    sagemaker     = "sagemaker.amazonaws.com"
    step_function = "states.amazonaws.com"
  }

  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = [each.value]
    }

    # Confused-deputy protection where the service documents it for its role (Step Functions, SageMaker):
    # only that service acting for this account may assume the role.
    dynamic "condition" {
      for_each = contains(["step_function", "sagemaker"], each.key) ? [local.account_id] : []
      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "this" {
  for_each = local.role_names

  name               = each.value
  assume_role_policy = data.aws_iam_policy_document.assume_role[each.key].json
  tags               = local.tags
}

# ---------------------------------------------------------------------------------------------------------
# Trigger Lambda: write its own logs, start executions of this state machine, park failed events.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "trigger" {
  statement {
    sid       = "WriteOwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn_prefix}${local.trigger_log_group_name}:*"]
  }

  statement {
    sid       = "StartPipelineRuns"
    actions   = ["states:StartExecution"]
    resources = [local.state_machine_arn]
  }

  # Lambda sends to the on-failure destination with the function's execution role.
  statement {
    sid       = "SendFailedEvents"
    actions   = ["sqs:SendMessage"]
    resources = [local.failure_queue_arn]
  }
}

# ---------------------------------------------------------------------------------------------------------
# Glue ETL job: read its script and the uploads, write the run's ETL output, write its logs.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "glue" {
  statement {
    sid     = "ReadScriptAndInput"
    actions = ["s3:GetObject"]
    resources = [
      "${local.bucket_arn}/${local.glue_script_key}",
      local.input_objects_arn,
    ]
  }

  # Spark's output committer writes temporary objects, reads them back and deletes them under the run.
  statement {
    sid       = "WriteRunOutput"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = [local.runs_objects_arn]
  }

  statement {
    sid       = "ListInputAndRuns"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.storage.input_prefix}*", "${local.runs_prefix}*"]
    }
  }

  # Glue writes to its default groups (/aws-glue/jobs/output, /error, /logs-v2) and to the continuous
  # logging group of this job, and creates the default ones on first use.
  statement {
    sid       = "WriteGlueLogs"
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${local.log_group_arn_prefix}/aws-glue/*"]
  }
}

# ---------------------------------------------------------------------------------------------------------
# SageMaker (training jobs and endpoint hosting): read the ETL output and model artifacts, write model
# artifacts, pull the algorithm image, write logs and metrics.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "sagemaker" {
  statement {
    sid       = "ReadChannelsAndModels"
    actions   = ["s3:GetObject"]
    resources = [local.etl_output_objects_arn, local.model_objects_arn]
  }

  statement {
    sid       = "WriteModelArtifacts"
    actions   = ["s3:PutObject"]
    resources = [local.model_objects_arn]
  }

  statement {
    sid       = "ListRuns"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${local.runs_prefix}*"]
    }
  }

  statement {
    sid = "PullAlgorithmImage"
    actions = [
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
    ]
    resources = [local.image_repository_arn]
  }

  statement {
    sid     = "EcrAuthorizationToken"
    actions = ["ecr:GetAuthorizationToken"]
    # ecr:GetAuthorizationToken has no resource-level permissions: it must be granted on "*".
    resources = ["*"]
  }

  statement {
    sid = "WriteSageMakerLogs"
    actions = [
      "logs:CreateLogGroup",
      "logs:CreateLogStream",
      "logs:DescribeLogStreams",
      "logs:PutLogEvents",
    ]
    resources = [
      "${local.log_group_arn_prefix}/aws/sagemaker/TrainingJobs",
      "${local.log_group_arn_prefix}/aws/sagemaker/TrainingJobs:*",
      "${local.log_group_arn_prefix}/aws/sagemaker/Endpoints/${local.endpoint_name}",
      "${local.log_group_arn_prefix}/aws/sagemaker/Endpoints/${local.endpoint_name}:*",
    ]
  }

  statement {
    sid     = "PublishSageMakerMetrics"
    actions = ["cloudwatch:PutMetricData"]
    # cloudwatch:PutMetricData has no resource-level permissions: it must be granted on "*"; the namespace
    # condition limits it to SageMaker's metrics.
    resources = ["*"]

    condition {
      test     = "StringLike"
      variable = "cloudwatch:namespace"
      values   = ["/aws/sagemaker/*"]
    }
  }
}

# ---------------------------------------------------------------------------------------------------------
# Step Functions: run the Glue job and the SageMaker calls of the template, pass the SageMaker role,
# manage the EventBridge rule behind `.sync` training, deliver its own logs.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "step_function" {
  # glue:startJobRun.sync starts the run, polls it and stops it when the execution is stopped.
  statement {
    sid       = "RunEtlJob"
    actions   = ["glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"]
    resources = [local.glue_job_arn]
  }

  # The Step Functions developer guide's policy for createTrainingJob.sync lists ListTags besides these.
  statement {
    sid = "RunTrainingJobs"
    actions = [
      "sagemaker:CreateTrainingJob",
      "sagemaker:DescribeTrainingJob",
      "sagemaker:StopTrainingJob",
      "sagemaker:ListTags",
    ]
    resources = [local.sagemaker_arns.training_job]
  }

  statement {
    sid       = "CreateModels"
    actions   = ["sagemaker:CreateModel"]
    resources = [local.sagemaker_arns.model]
  }

  statement {
    sid       = "CreateEndpointConfigs"
    actions   = ["sagemaker:CreateEndpointConfig"]
    resources = [local.sagemaker_arns.endpoint_config]
  }

  # CreateEndpoint and UpdateEndpoint are authorised on both the endpoint and the endpoint config they use.
  statement {
    sid       = "DeployEndpoint"
    actions   = ["sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint"]
    resources = [local.sagemaker_arns.endpoint, local.sagemaker_arns.endpoint_config]
  }

  statement {
    sid       = "DescribeEndpoint"
    actions   = ["sagemaker:DescribeEndpoint"]
    resources = [local.sagemaker_arns.endpoint]
  }

  # Create* calls that pass Tags need sagemaker:AddTags on the new resource (scoped like the Create* grants).
  statement {
    sid     = "TagOnCreate"
    actions = ["sagemaker:AddTags"]
    resources = [
      local.sagemaker_arns.training_job,
      local.sagemaker_arns.model,
      local.sagemaker_arns.endpoint_config,
      local.sagemaker_arns.endpoint,
    ]
  }

  statement {
    sid     = "ListEndpoints"
    actions = ["sagemaker:ListEndpoints"]
    # sagemaker:ListEndpoints has no resource-level permissions (it lists the account's endpoints): it must
    # be granted on "*". The state machine uses it only to find out whether its own endpoint exists.
    resources = ["*"]
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

  # createTrainingJob.sync learns of job completion through this Step Functions-managed rule.
  statement {
    sid       = "ManagedSageMakerTrainingRule"
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = ["arn:${local.partition}:events:${local.arn_prefix_regional}:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"]
  }

  statement {
    sid = "DeliverExecutionLogs"
    actions = [
      "logs:CreateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies",
      "logs:GetLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:UpdateLogDelivery",
    ]
    # CloudWatch Logs' vended-log delivery APIs used by Step Functions logging have no resource-level
    # permissions: AWS documents them with "*" only.
    resources = ["*"]
  }
}

locals {
  role_policies = {
    trigger       = data.aws_iam_policy_document.trigger.json
    glue          = data.aws_iam_policy_document.glue.json
    sagemaker     = data.aws_iam_policy_document.sagemaker.json
    step_function = data.aws_iam_policy_document.step_function.json
  }
}

resource "aws_iam_role_policy" "this" {
  for_each = local.role_policies

  name   = "${local.role_names[each.key]}-permissions"
  role   = aws_iam_role.this[each.key].id
  policy = each.value
}
