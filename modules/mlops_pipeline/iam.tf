# One role per component, each with one inline policy. Resources are scoped to this pipeline's bucket and
# prefixes, its Glue job, its SageMaker names (`<name>--*`, endpoint by exact name), its state machine and
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

  name                 = each.value
  path                 = var.security.iam_path
  permissions_boundary = var.security.permissions_boundary_arn
  assume_role_policy   = data.aws_iam_policy_document.assume_role[each.key].json
  tags                 = local.tags
}

# ---------------------------------------------------------------------------------------------------------
# Trigger Lambda: write its own logs, start executions of this state machine, park failed events.
# ---------------------------------------------------------------------------------------------------------

# What both Lambda functions (the trigger and the scoring row counter, scoring.tf) need for their own traces.
data "aws_iam_policy_document" "lambda_observability" {
  # Only with observability.lambda_tracing_mode = "Active". X-Ray's write APIs have no resource-level
  # permissions: they must be granted on "*".
  dynamic "statement" {
    for_each = var.observability.lambda_tracing_mode == "Active" ? [1] : []
    content {
      sid       = "WriteTraces"
      actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "trigger" {
  source_policy_documents = [
    data.aws_iam_policy_document.lambda_observability.json,
    data.aws_iam_policy_document.kms_key_uses["trigger"].json,
  ]

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

  # Only with retrain_schedule: a tick lists the input prefix and reads the newest object's version.
  dynamic "statement" {
    for_each = local.retrains ? [1] : []
    content {
      sid       = "ListInputForRetraining"
      actions   = ["s3:ListBucket"]
      resources = [local.bucket_arn]

      condition {
        test     = "StringLike"
        variable = "s3:prefix"
        values   = [var.storage.input_prefix, "${var.storage.input_prefix}*"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.retrains ? [1] : []
    content {
      sid       = "ReadInputVersionsForRetraining"
      actions   = ["s3:GetObject"]
      resources = [local.input_objects_arn]
    }
  }
}

# ---------------------------------------------------------------------------------------------------------
# Glue ETL job: read its script and the uploads, write the run's ETL output, write its logs.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "glue" {
  source_policy_documents = [data.aws_iam_policy_document.kms_key_uses["glue"].json]

  statement {
    sid     = "ReadScriptAndInput"
    actions = ["s3:GetObject"]
    resources = [
      "${local.bucket_arn}/${local.glue_script_key}",
      local.input_objects_arn,
    ]
  }

  # Glue's S3 file system looks up the output's parent "directories" (HEAD runs/<run>/etl, runs/<run>, ...)
  # before writing: reading under runs/ is needed, and harmless next to the writes below.
  statement {
    sid       = "ReadRuns"
    actions   = ["s3:GetObject"]
    resources = [local.runs_objects_arn]
  }

  # Spark's output committer writes temporary objects and deletes them under the run's ETL output only: the
  # model artifacts the endpoint serves (runs/*/model/) are out of the job's reach.
  statement {
    sid       = "WriteRunOutput"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = [local.etl_output_objects_arn]
  }

  # Glue's S3 file system marks a "directory" it creates with an empty `<dir>_$folder$` object, also for the
  # parents of the output (runs/<run>_$folder$, runs_$folder$). Only such marker keys, which no artifact has.
  statement {
    sid     = "WriteFolderMarkers"
    actions = ["s3:PutObject"]
    resources = [
      "${local.runs_objects_arn}_$folder$",
      "${local.bucket_arn}/${trimsuffix(local.runs_prefix, "/")}_$folder$",
    ]
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

  # The job's own log groups (etl.tf creates them): Glue only adds streams and events.
  statement {
    sid       = "WriteGlueLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [for group in local.glue_log_group_names : "${local.log_group_arn_prefix}${group}:*"]
  }

  # Glue 4.0 only: each run's console output goes to the account's shared default groups, which Glue
  # creates on first use.
  dynamic "statement" {
    for_each = length(local.glue_shared_log_group_names) == 0 ? [] : [1]
    content {
      sid     = "WriteGlueDefaultLogs"
      actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
      resources = flatten([for group in local.glue_shared_log_group_names : [
        "${local.log_group_arn_prefix}${group}", "${local.log_group_arn_prefix}${group}:*"
      ]])
    }
  }

  # Only with a Glue security configuration: its CloudWatch Logs encryption makes Glue associate the key
  # with the log groups it writes.
  dynamic "statement" {
    for_each = local.glue_security_configuration_name == null ? [] : [1]
    content {
      sid       = "EncryptGlueLogs"
      actions   = ["logs:AssociateKmsKey"]
      resources = [for group in concat(local.glue_log_group_names, local.glue_shared_log_group_names) : "${local.log_group_arn_prefix}${group}"]
    }
  }
}

# ---------------------------------------------------------------------------------------------------------
# SageMaker (training jobs and endpoint hosting): read the ETL output and model artifacts, write model
# artifacts, pull the algorithm image, write logs and metrics.
# ---------------------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "sagemaker" {
  source_policy_documents = [data.aws_iam_policy_document.kms_key_uses["sagemaker"].json]

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

  # Only with a SageMaker key: the training volumes (ResourceConfig.VolumeKmsKeyId) are encrypted through a
  # grant for the AWS resource.
  dynamic "statement" {
    for_each = local.kms_key_arns.sagemaker == null ? [] : [local.kms_key_arns.sagemaker]
    content {
      sid       = "GrantKeyToVolumes"
      actions   = ["kms:CreateGrant"]
      resources = [statement.value]

      condition {
        test     = "Bool"
        variable = "kms:GrantIsForAWSResource"
        values   = ["true"]
      }
    }
  }

  dynamic "statement" {
    for_each = local.kms_key_arns.sagemaker == null ? [] : [local.kms_key_arns.sagemaker]
    content {
      sid       = "DescribeSageMakerKey"
      actions   = ["kms:DescribeKey"]
      resources = [statement.value]
    }
  }

  # Only with training.vpc: SageMaker attaches network interfaces in the given subnets to the training and
  # hosting instances, as this role. The Describe* actions have no resource-level permissions: "*".
  dynamic "statement" {
    for_each = var.training.vpc == null ? [] : [1]
    content {
      sid = "DescribeVpcResources"
      actions = [
        "ec2:DescribeDhcpOptions",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVpcs",
      ]
      resources = ["*"]
    }
  }

  # CreateNetworkInterface is authorised on the subnet and the security groups too: only the given ones.
  dynamic "statement" {
    for_each = var.training.vpc == null ? [] : [1]
    content {
      sid       = "UseGivenSubnetsAndSecurityGroups"
      actions   = ["ec2:CreateNetworkInterface"]
      resources = concat(local.vpc_subnet_arns, local.vpc_security_group_arns)
    }
  }

  # Network interfaces of this account, only in the given subnets (ec2:Subnet).
  dynamic "statement" {
    for_each = var.training.vpc == null ? [] : [1]
    content {
      sid = "ManageNetworkInterfacesInGivenSubnets"
      actions = [
        "ec2:CreateNetworkInterface",
        "ec2:CreateNetworkInterfacePermission",
        "ec2:DeleteNetworkInterface",
      ]
      resources = ["arn:${local.partition}:ec2:${local.arn_prefix_regional}:network-interface/*"]

      condition {
        test     = "ArnLike"
        variable = "ec2:Subnet"
        values   = local.vpc_subnet_arns
      }
    }
  }
}

# ---------------------------------------------------------------------------------------------------------
# Step Functions: run the Glue job and the SageMaker calls of the template, pass the SageMaker role,
# manage the EventBridge rule behind `.sync` training, deliver its own logs.
# ---------------------------------------------------------------------------------------------------------

# What both state machines (the pipeline's and the scoring one) need for their own logs and traces.
data "aws_iam_policy_document" "state_machine_observability" {
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

  # Only with observability.state_machine_tracing. X-Ray's APIs have no resource-level permissions: "*".
  dynamic "statement" {
    for_each = local.state_machine_tracing_enabled ? [1] : []
    content {
      sid       = "WriteTraces"
      actions   = ["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"]
      resources = ["*"]
    }
  }
}

data "aws_iam_policy_document" "step_function" {
  # Only with tuning: its tuning job and managed rule (tuning.tf).
  source_policy_documents = concat(
    [data.aws_iam_policy_document.state_machine_observability.json, data.aws_iam_policy_document.kms_key_uses["step_function"].json],
    data.aws_iam_policy_document.tuning[*].json,
  )

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

  # Every run registers its model as a version of this pipeline's group (registry.tf); a version is
  # authorized as model-package/<group>/<version>. No UpdateModelPackage: approving is a person's act.
  statement {
    sid       = "RegisterModels"
    actions   = ["sagemaker:CreateModelPackage"]
    resources = [local.sagemaker_arns.model_package]
  }

  # An approval run reads the approved version (still Approved? which model data?) before deploying it, and
  # CreateModel from a versioned package reads the package as its caller.
  statement {
    sid       = "DescribeModelVersions"
    actions   = ["sagemaker:DescribeModelPackage"]
    resources = [local.sagemaker_arns.model_package]
  }

  statement {
    sid       = "CreateModels"
    actions   = ["sagemaker:CreateModel"]
    resources = [local.sagemaker_arns.model]
  }

  # The evaluation record: the run reads its ETL manifest and writes evaluation.json beside it (run_outputs).
  statement {
    sid       = "ReadEtlManifests"
    actions   = ["s3:GetObject"]
    resources = ["${local.bucket_arn}/${local.runs_prefix}*/${local.run_outputs.manifest}"]
  }

  statement {
    sid       = "WriteEvaluations"
    actions   = ["s3:PutObject"]
    resources = ["${local.bucket_arn}/${local.runs_prefix}*/${local.run_outputs.evaluation}"]
  }

  # AnnounceDeployed / AnnounceAwaitingApproval: events on the default bus, with this pipeline's source only,
  # so a run cannot speak for another pipeline's notification rules.
  statement {
    sid       = "AnnounceRunOutcomes"
    actions   = ["events:PutEvents"]
    resources = ["arn:${local.partition}:events:${local.arn_prefix_regional}:event-bus/default"]

    condition {
      test     = "StringEquals"
      variable = "events:source"
      values   = [local.events_source]
    }
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

  # The endpoint's claim (deployments.tf): ClaimEndpoint writes it conditionally, ReadClaim, VerifyClaim and
  # ReadClaimAfterDeploy read it. This table only; no Query, Scan, PutItem or DeleteItem.
  statement {
    sid       = "ClaimEndpoint"
    actions   = ["dynamodb:UpdateItem", "dynamodb:GetItem"]
    resources = [local.deployments_table_arn]
  }

  # Only with rollback alarms (deployment_guardrails.tf): SageMaker reads the alarms of an update's
  # AutoRollbackConfiguration with the UpdateEndpoint caller's permissions, and the state machine reads
  # them to name the alarm that rolled an update back. Those alarms only, by ARN.
  dynamic "statement" {
    for_each = length(local.endpoint_rollback_alarm_arns) == 0 ? [] : [local.endpoint_rollback_alarm_arns]
    content {
      sid       = "DescribeRollbackAlarms"
      actions   = ["cloudwatch:DescribeAlarms"]
      resources = statement.value
    }
  }

  # No sagemaker:AddTags: the template's Create* calls pass no Tags (SageMaker authorizes AddTags only when
  # they do); the local cloud refuses a Tags parameter without it, so a template change cannot miss it.

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
