# Least privilege: every statement is scoped to this pipeline, "*" only for the APIs that cannot be scoped.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "statements_are_scoped" {
  command = plan

  # The only statements allowed a "*" resource: APIs without resource-level permissions (commented in
  # iam.tf). Anything else with "*" fails here.
  assert {
    condition = toset(flatten([
      for document in [
        data.aws_iam_policy_document.trigger,
        data.aws_iam_policy_document.glue,
        data.aws_iam_policy_document.sagemaker,
        data.aws_iam_policy_document.step_function,
        data.aws_iam_policy_document.state_machine_observability,
      ] : [for s in document.statement : s.sid if contains(s.resources, "*")]
      ])) == toset([
      "EcrAuthorizationToken", "PublishSageMakerMetrics", "ListEndpoints", "DeliverExecutionLogs",
    ])
    error_message = "a statement other than the documented exceptions grants a \"*\" resource"
  }

  assert {
    condition = alltrue(flatten([
      for s in concat(data.aws_iam_policy_document.sagemaker.statement, data.aws_iam_policy_document.step_function.statement) : [
        for action in s.actions : !strcontains(action, "*")
      ]
    ]))
    error_message = "an action wildcard appears in the SageMaker or Step Functions policy"
  }

  # Every resource that is not "*" and not a log group belongs to this account/bucket/pipeline names.
  assert {
    condition = alltrue(flatten([
      for document in concat([
        data.aws_iam_policy_document.trigger,
        data.aws_iam_policy_document.glue,
        data.aws_iam_policy_document.sagemaker,
        data.aws_iam_policy_document.step_function,
        ], values(data.aws_iam_policy_document.kms_key_uses)) : [
        for s in document.statement : [
          for arn in s.resources : arn == "*" || startswith(arn, "arn:aws:s3:::churn-xgboost-123456789012-us-east-1") || strcontains(arn, ":log-group:") || strcontains(arn, "churn-xgboost") || endswith(arn, ":repository/sagemaker-xgboost") || endswith(arn, ":rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule") || endswith(arn, ":event-bus/default")
        ]
      ]
    ]))
    error_message = "a policy resource is outside this pipeline's bucket, names or image repository"
  }
}

run "step_functions_permissions" {
  command = plan

  assert {
    condition = one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "RunEtlJob"]) == toset([
      "arn:aws:glue:us-east-1:123456789012:job/churn-xgboost-etl",
    ])
    error_message = "Glue actions must be scoped to the pipeline's job ARN"
  }

  assert {
    condition = toset(flatten([for s in data.aws_iam_policy_document.step_function.statement : s.resources if contains(["RunTrainingJobs", "CreateModels", "CreateEndpointConfigs", "DeployEndpoint"], s.sid)])) == toset([
      "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgboost--*",
      "arn:aws:sagemaker:us-east-1:123456789012:model/churn-xgboost--*",
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/churn-xgboost--*",
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-xgboost-endpoint",
    ])
    error_message = "SageMaker ARNs must be <name>--* for per-run resources and the exact endpoint"
  }

  assert {
    condition     = !contains(flatten([for s in data.aws_iam_policy_document.step_function.statement : s.actions]), "sagemaker:AddTags")
    error_message = "the template tags nothing it creates: sagemaker:AddTags is not needed"
  }

  # cloudwatch:DescribeAlarms: the default endpoint_deployment has rollback alarms, which SageMaker reads with
  # the UpdateEndpoint caller's permissions (tests/deployment_guardrails.tftest.hcl checks its scope).
  assert {
    condition = toset(flatten([for s in concat(data.aws_iam_policy_document.step_function.statement, data.aws_iam_policy_document.state_machine_observability.statement) : s.actions])) == toset([
      "glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun",
      "sagemaker:CreateTrainingJob", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob",
      "sagemaker:ListTags", "sagemaker:CreateModel", "sagemaker:CreateEndpointConfig", "sagemaker:CreateEndpoint",
      "sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint", "sagemaker:ListEndpoints",
      "iam:PassRole", "events:PutTargets", "events:PutRule", "events:DescribeRule",
      "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:DescribeLogGroups",
      "logs:DescribeResourcePolicies", "logs:GetLogDelivery", "logs:ListLogDeliveries",
      "logs:PutResourcePolicy", "logs:UpdateLogDelivery",
      "dynamodb:UpdateItem", "dynamodb:GetItem", "cloudwatch:DescribeAlarms", "sagemaker:CreateModelPackage",
      "sagemaker:DescribeModelPackage", "s3:GetObject", "s3:PutObject", "events:PutEvents",
    ])
    error_message = "the Step Functions role's actions differ from what the template's integrations need"
  }

  # RegisterModel adds versions to this pipeline's group only; approving a version is a person's act.
  assert {
    condition     = one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "RegisterModels"]) == toset(["arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/*"])
    error_message = "sagemaker:CreateModelPackage must be granted on the pipeline's model package group's versions only"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "PassSageMakerRole"]) == toset(["arn:aws:iam::123456789012:role/churn-xgboost-sagemaker"])
    error_message = "iam:PassRole must be granted on the SageMaker role only"
  }

  assert {
    condition = one(flatten([
      for s in data.aws_iam_policy_document.step_function.statement : [
        for c in s.condition : c if c.variable == "iam:PassedToService" && c.test == "StringEquals" && length(c.values) == 1 && contains(c.values, "sagemaker.amazonaws.com")
      ] if s.sid == "PassSageMakerRole"
    ])) != null
    error_message = "iam:PassRole must carry iam:PassedToService = sagemaker.amazonaws.com"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "ManagedSageMakerTrainingRule"]) == toset(["arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"])
    error_message = "the EventBridge permissions must be limited to the rule Step Functions manages for .sync training"
  }

  # The role passed in the rendered definition is the one PassRole allows.
  assert {
    condition     = strcontains(output.state_machine_definition, "\"arn:aws:iam::123456789012:role/churn-xgboost-sagemaker\"")
    error_message = "the definition must pass the SageMaker role that iam:PassRole allows"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.assume_role["step_function"].statement : s.principals]) == toset([{ type = "Service", identifiers = toset(["states.amazonaws.com"]) }])
    error_message = "the Step Functions role must be assumable by states.amazonaws.com only"
  }

  assert {
    condition = one([
      for s in data.aws_iam_policy_document.step_function.statement : s.resources if contains(s.actions, "sagemaker:ListTags")
    ]) == toset(["arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgboost--*"])
    error_message = "sagemaker:ListTags (createTrainingJob.sync) must be granted on the pipeline's training jobs"
  }

  # Confused-deputy protection for the roles whose services document aws:SourceAccount.
  assert {
    condition = alltrue([
      for role in ["step_function", "sagemaker"] : one(flatten([
        for s in data.aws_iam_policy_document.assume_role[role].statement : [
          for c in s.condition : c if c.variable == "aws:SourceAccount" && c.test == "StringEquals" && length(c.values) == 1 && contains(c.values, "123456789012")
        ]
      ])) != null
    ])
    error_message = "the Step Functions and SageMaker roles' trust policies must require aws:SourceAccount = this account"
  }
}

# Two pipelines in one account: `churn`'s grants must not reach `churn-xgboost`'s training jobs, models and
# endpoint configs. The trigger names them `<pipeline>--<run id>` (lambdas/trigger/naming.py); IAM's `*`
# becomes `.*` (the ARNs hold no other regex metacharacter). tests/test_sagemaker_name_isolation.py checks
# the same property with the trigger's own names and fnmatch for any pair of pipeline names.
run "sagemaker_grants_do_not_reach_another_pipelines_names" {
  command = plan

  variables {
    name = "churn"
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.step_function.statement : [
        for pattern in s.resources : [
          for kind in ["training-job", "model", "endpoint-config"] : !can(regex(
            "^${replace(pattern, "*", ".*")}$",
            "arn:aws:sagemaker:us-east-1:123456789012:${kind}/churn-xgboost--churn-data-3f9a1c2b7d",
          ))
        ] if strcontains(pattern, ":sagemaker:")
      ]
    ]))
    error_message = "a SageMaker grant of pipeline churn matches a name of pipeline churn-xgboost"
  }

  # ...while still covering its own names.
  assert {
    condition = alltrue([
      for kind in ["training-job", "model", "endpoint-config"] : anytrue([
        for s in data.aws_iam_policy_document.step_function.statement : anytrue([
          for pattern in s.resources : can(regex(
            "^${replace(pattern, "*", ".*")}$",
            "arn:aws:sagemaker:us-east-1:123456789012:${kind}/churn--churn-data-3f9a1c2b7d",
          ))
        ]) if contains(s.actions, "sagemaker:Create${replace(title(replace(kind, "-", " ")), " ", "")}")
      ])
    ])
    error_message = "the SageMaker grants of pipeline churn must cover its own names churn--<run id>"
  }
}

run "trigger_glue_and_sagemaker_permissions" {
  command = plan

  assert {
    condition     = one([for s in data.aws_iam_policy_document.trigger.statement : s.resources if s.sid == "StartPipelineRuns"]) == toset(["arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-pipeline"])
    error_message = "the trigger may start executions of its own state machine only"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.trigger.statement : s.resources if s.sid == "SendFailedEvents"]) == toset(["arn:aws:sqs:us-east-1:123456789012:churn-xgboost-trigger-failures"])
    error_message = "the trigger may send to its failure queue only"
  }

  assert {
    condition = toset(one([for s in data.aws_iam_policy_document.glue.statement : s.resources if s.sid == "ReadScriptAndInput"])) == toset([
      "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/scripts/etl_job.py",
      "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/input/*",
    ])
    error_message = "Glue may read its script and the input prefix only"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.sagemaker.statement : s.resources if s.sid == "WriteModelArtifacts"]) == toset(["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*/model/*"])
    error_message = "SageMaker may write model artifacts under runs/*/model/ only"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.sagemaker.statement : s.resources if s.sid == "PullAlgorithmImage"]) == toset(["arn:aws:ecr:us-east-1:683313688378:repository/sagemaker-xgboost"])
    error_message = "ECR pulls must be limited to the resolved image's repository"
  }

  assert {
    condition = one(flatten([
      for s in data.aws_iam_policy_document.sagemaker.statement : [for c in s.condition : c.values if c.variable == "cloudwatch:namespace"] if s.sid == "PublishSageMakerMetrics"
    ])) == "/aws/sagemaker/*"
    error_message = "cloudwatch:PutMetricData must be limited to SageMaker namespaces"
  }
}

run "explicit_image_scopes_ecr_to_its_repository" {
  command = plan

  variables {
    training = {
      image_uri = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
    }
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.sagemaker.statement : s.resources if s.sid == "PullAlgorithmImage"]) == toset(["arn:aws:ecr:us-east-1:382416733822:repository/linear-learner"])
    error_message = "ECR pulls must follow the explicit image's account, region and repository"
  }
}

# The Glue job writes only the run's ETL output (and empty folder markers): never the model artifacts the
# endpoint serves, never another job's log groups.
run "glue_writes_only_its_etl_output_and_its_own_log_groups" {
  command = plan

  assert {
    condition = [for s in data.aws_iam_policy_document.glue.statement : s.resources if s.sid == "WriteRunOutput"][0] == toset([
      "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*/etl/*",
    ])
    error_message = "the Glue role may write outside runs/*/etl/"
  }

  assert {
    condition = alltrue(flatten([
      for s in data.aws_iam_policy_document.glue.statement : [
        for arn in s.resources : !strcontains(arn, "/model/") && (!endswith(arn, "/runs/*") || !contains(s.actions, "s3:PutObject")) if contains(s.actions, "s3:PutObject") || contains(s.actions, "s3:DeleteObject")
      ]
    ]))
    error_message = "a Glue statement lets the job overwrite model artifacts"
  }

  assert {
    condition = toset([for s in data.aws_iam_policy_document.glue.statement : s.resources if s.sid == "WriteFolderMarkers"][0]) == toset([
      "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*_$folder$",
      "arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs_$folder$",
    ])
    error_message = "folder markers: only keys ending in _$folder$ under runs/, and runs_$folder$ itself"
  }

  assert {
    condition = [for s in data.aws_iam_policy_document.glue.statement : s.resources if s.sid == "WriteGlueLogs"][0] == toset([
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/churn-xgboost-etl/output:*",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/churn-xgboost-etl/error:*",
    ])
    error_message = "Glue 5.0 must write only to the job's own output and error groups"
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.glue.statement : s if s.sid == "WriteGlueDefaultLogs"]) == 0
    error_message = "Glue 5.0 needs no grant on the account's shared /aws-glue/jobs/* groups"
  }

  assert {
    condition = (
      aws_glue_job.etl.default_arguments["--custom-logGroup-prefix"] == "/aws-glue/jobs/churn-xgboost-etl" &&
      toset(keys(aws_cloudwatch_log_group.glue)) == toset(["/aws-glue/jobs/churn-xgboost-etl/output", "/aws-glue/jobs/churn-xgboost-etl/error"])
    )
    error_message = "the Glue 5.0 job must log to the two groups the module creates"
  }
}

run "glue_4_logs_to_its_continuous_group_and_the_shared_defaults" {
  command = plan

  variables {
    etl = { glue_version = "4.0" }
  }

  assert {
    condition = (
      aws_glue_job.etl.default_arguments["--continuous-log-logGroup"] == "/aws-glue/jobs/churn-xgboost-etl" &&
      !contains(keys(aws_glue_job.etl.default_arguments), "--custom-logGroup-prefix") &&
      toset(keys(aws_cloudwatch_log_group.glue)) == toset(["/aws-glue/jobs/churn-xgboost-etl"])
    )
    error_message = "a Glue 4.0 job logs continuously to its own group"
  }

  assert {
    condition = [for s in data.aws_iam_policy_document.glue.statement : s.resources if s.sid == "WriteGlueDefaultLogs"][0] == toset([
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/output",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/output:*",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/error",
      "arn:aws:logs:us-east-1:123456789012:log-group:/aws-glue/jobs/error:*",
    ])
    error_message = "Glue 4.0 writes its console output to the shared default groups"
  }
}
