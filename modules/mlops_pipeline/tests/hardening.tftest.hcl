# Production hardening inputs (`security`, training.vpc and isolation, storage access logs, trigger reserved
# concurrency, tracing): unset they change nothing; set they reach the resources, the rendered SageMaker calls
# and the roles' grants, and bad values are refused per field.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

# ---------------------------------------------------------------------------------------------------------
# Defaults: today's behaviour
# ---------------------------------------------------------------------------------------------------------

run "defaults_change_nothing" {
  command = plan

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).kms_master_key_id == null &&
      one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).bucket_key_enabled == null
    )
    error_message = "without a key the bucket must keep SSE-S3 without a bucket key"
  }

  assert {
    condition     = length(aws_s3_bucket_logging.pipeline) == 0 && length(aws_glue_security_configuration.etl) == 0 && aws_glue_job.etl.security_configuration == null
    error_message = "without settings no access logging and no Glue security configuration may be created"
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.glue["/aws-glue/jobs/churn-xgboost-etl/error"].kms_key_id == null && aws_cloudwatch_log_group.trigger.kms_key_id == null &&
      aws_cloudwatch_log_group.state_machine.kms_key_id == null &&
      aws_sqs_queue.trigger_failures.sqs_managed_sse_enabled == true && aws_sqs_queue.trigger_failures.kms_master_key_id == null
    )
    error_message = "without a key, log groups and the failure queue must keep service-owned encryption"
  }

  assert {
    condition = (
      coalesce(aws_lambda_function.trigger.reserved_concurrent_executions, -1) == -1 &&
      one(aws_lambda_function.trigger.tracing_config).mode == "PassThrough" &&
      one(aws_sfn_state_machine.pipeline.tracing_configuration).enabled == false
    )
    error_message = "by default the Lambda is unreserved with Lambda's default tracing mode and the state machine untraced"
  }

  assert {
    condition     = alltrue([for role in aws_iam_role.this : role.path == "/" && role.permissions_boundary == null])
    error_message = "by default roles have path / and no permissions boundary"
  }

  assert {
    condition = length(flatten([
      for document in [
        data.aws_iam_policy_document.trigger,
        data.aws_iam_policy_document.glue,
        data.aws_iam_policy_document.sagemaker,
        data.aws_iam_policy_document.step_function,
        data.aws_iam_policy_document.lambda_observability,
        data.aws_iam_policy_document.state_machine_observability,
        ] : [
        for s in document.statement : s.sid if anytrue([for action in s.actions : startswith(action, "kms:") || startswith(action, "ec2:") || startswith(action, "xray:") || action == "logs:AssociateKmsKey"])
      ]
    ])) == 0
    error_message = "by default no KMS, EC2 or X-Ray permission may be granted"
  }

  assert {
    condition = alltrue([
      for state in values(jsondecode(output.state_machine_definition).States) : length(setintersection(
        keys(try(state.Parameters, {})),
        ["VpcConfig", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption", "KmsKeyId"],
      )) == 0 && !can(state.Parameters.OutputDataConfig.KmsKeyId) && !can(state.Parameters.ResourceConfig.VolumeKmsKeyId)
    ])
    error_message = "by default the SageMaker calls must carry no VPC, isolation or KMS parameter"
  }
}

# ---------------------------------------------------------------------------------------------------------
# One KMS key for everything
# ---------------------------------------------------------------------------------------------------------

run "one_key_encrypts_everything" {
  command = plan

  variables {
    security = {
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).sse_algorithm == "aws:kms" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).bucket_key_enabled == true
    )
    error_message = "the bucket must use SSE-KMS with the key and an S3 Bucket Key"
  }

  assert {
    condition = alltrue([
      for key in [
        aws_cloudwatch_log_group.glue["/aws-glue/jobs/churn-xgboost-etl/error"].kms_key_id, aws_cloudwatch_log_group.trigger.kms_key_id,
        aws_cloudwatch_log_group.state_machine.kms_key_id, aws_sqs_queue.trigger_failures.kms_master_key_id,
      ] : key == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    ])
    error_message = "log groups and the failure queue must use the same key when only kms_key_arn is set"
  }

  assert {
    condition = (
      aws_glue_job.etl.security_configuration == "churn-xgboost-etl" &&
      aws_glue_security_configuration.etl[0].name == "churn-xgboost-etl" &&
      one(one(aws_glue_security_configuration.etl[0].encryption_configuration).s3_encryption).s3_encryption_mode == "SSE-KMS" &&
      one(one(aws_glue_security_configuration.etl[0].encryption_configuration).cloudwatch_encryption).cloudwatch_encryption_mode == "SSE-KMS" &&
      one(one(aws_glue_security_configuration.etl[0].encryption_configuration).job_bookmarks_encryption).job_bookmarks_encryption_mode == "CSE-KMS"
    )
    error_message = "the module must create a Glue security configuration (S3, CloudWatch, bookmarks) and attach it to the job"
  }

  assert {
    condition = (
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.ResourceConfig.VolumeKmsKeyId if can(s.Parameters.ResourceConfig.VolumeKmsKeyId)]) == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.OutputDataConfig.KmsKeyId if can(s.Parameters.OutputDataConfig.KmsKeyId)]) == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.KmsKeyId if try(s.Resource, "") == "arn:aws:states:::sagemaker:createEndpointConfig"]) == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    )
    error_message = "the training volume, model artifacts and endpoint storage must be encrypted with the key"
  }

  # Each role gets the key only for what it does, through the service that uses it.
  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.kms_key_uses["glue"].statement : one(s.condition).values if s.sid == "UseBucketKey"]) == tolist(["s3.us-east-1.amazonaws.com"]) &&
      one([for s in data.aws_iam_policy_document.kms_key_uses["sagemaker"].statement : one(s.condition).values if s.sid == "UseKeysThroughS3"]) == tolist(["s3.us-east-1.amazonaws.com"]) &&
      one([for s in data.aws_iam_policy_document.kms_key_uses["trigger"].statement : one(s.condition).values if s.sid == "UseFailureQueueKey"]) == tolist(["sqs.us-east-1.amazonaws.com"]) &&
      one([for s in data.aws_iam_policy_document.kms_key_uses["step_function"].statement : one(s.condition).values if s.sid == "DescribeSageMakerKey"]) == tolist(["sagemaker.us-east-1.amazonaws.com"])
    )
    error_message = "KMS grants must carry kms:ViaService conditions for S3, SQS and SageMaker"
  }

  assert {
    condition = alltrue(flatten([
      for document in concat([
        data.aws_iam_policy_document.trigger,
        data.aws_iam_policy_document.glue,
        data.aws_iam_policy_document.sagemaker,
        data.aws_iam_policy_document.step_function,
        ], values(data.aws_iam_policy_document.kms_key_uses)) : [
        for s in document.statement : s.resources == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"]) if anytrue([for action in s.actions : startswith(action, "kms:")])
      ]
    ]))
    error_message = "every KMS grant must be scoped to the key"
  }

  assert {
    condition = (
      toset(flatten([for s in concat(data.aws_iam_policy_document.sagemaker.statement, data.aws_iam_policy_document.kms_key_uses["sagemaker"].statement) : s.actions if startswith(s.sid, "UseKeys") || s.sid == "GrantKeyToVolumes"])) == toset(["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"]) &&
      one([for s in data.aws_iam_policy_document.sagemaker.statement : one(s.condition).variable if s.sid == "GrantKeyToVolumes"]) == "kms:GrantIsForAWSResource" &&
      length([for s in data.aws_iam_policy_document.kms_key_uses["step_function"].statement : s if s.sid == "GrantSageMakerKeyToResources" && length(s.condition) == 2]) == 1 &&
      length([for s in data.aws_iam_policy_document.glue.statement : s if s.sid == "EncryptGlueLogs"]) == 1
    )
    error_message = "SageMaker must be able to encrypt volumes through grants for AWS resources, Glue to encrypt its logs"
  }
}

# ---------------------------------------------------------------------------------------------------------
# Separate keys per service, an existing Glue security configuration
# ---------------------------------------------------------------------------------------------------------

run "separate_keys_per_service" {
  command = plan

  variables {
    security = {
      kms_key_arn                 = "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111"
      logs_kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
      queue_kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
      sagemaker_kms_key_arn       = "arn:aws:kms:us-east-1:123456789012:key/mrk-44444444444444444444444444444444"
      glue_security_configuration = "org-glue-encryption"
    }
  }

  assert {
    condition = (
      one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111" &&
      aws_cloudwatch_log_group.trigger.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222" &&
      aws_sqs_queue.trigger_failures.kms_master_key_id == "arn:aws:kms:us-east-1:123456789012:key/33333333-3333-3333-3333-333333333333"
    )
    error_message = "each service must use its own key"
  }

  assert {
    condition = (
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.KmsKeyId if try(s.Resource, "") == "arn:aws:states:::sagemaker:createEndpointConfig"]) == "arn:aws:kms:us-east-1:123456789012:key/mrk-44444444444444444444444444444444" &&
      output.state_machine_template_variables.sagemaker_kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/mrk-44444444444444444444444444444444"
    )
    error_message = "SageMaker must use its own key"
  }

  # The SageMaker role reads objects encrypted with the bucket key and writes artifacts with its own.
  assert {
    condition = one([for s in data.aws_iam_policy_document.kms_key_uses["sagemaker"].statement : s.resources if s.sid == "UseKeysThroughS3"]) == toset([
      "arn:aws:kms:us-east-1:123456789012:key/11111111-1111-1111-1111-111111111111",
      "arn:aws:kms:us-east-1:123456789012:key/mrk-44444444444444444444444444444444",
    ])
    error_message = "the SageMaker role must use the bucket key and its own key through S3"
  }

  assert {
    condition     = length(aws_glue_security_configuration.etl) == 0 && aws_glue_job.etl.security_configuration == "org-glue-encryption"
    error_message = "an existing Glue security configuration must be used as is, none created"
  }
}

run "only_a_logs_key" {
  command = plan

  variables {
    security = {
      logs_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222"
    }
  }

  assert {
    condition = (
      aws_cloudwatch_log_group.glue["/aws-glue/jobs/churn-xgboost-etl/error"].kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/22222222-2222-2222-2222-222222222222" &&
      one(one(aws_s3_bucket_server_side_encryption_configuration.pipeline.rule).apply_server_side_encryption_by_default).sse_algorithm == "AES256" &&
      aws_sqs_queue.trigger_failures.sqs_managed_sse_enabled == true &&
      length(aws_glue_security_configuration.etl) == 0 &&
      output.state_machine_template_variables.sagemaker_kms_key_arn == null
    )
    error_message = "a logs key alone must encrypt only the log groups"
  }
}

# ---------------------------------------------------------------------------------------------------------
# SageMaker network: VPC, isolation, inter-container traffic encryption
# ---------------------------------------------------------------------------------------------------------

run "sagemaker_in_a_vpc_isolated" {
  command = plan

  variables {
    training = {
      vpc = {
        subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
        security_group_ids = ["sg-0123456789abcdef0"]
      }
      enable_network_isolation                  = true
      enable_inter_container_traffic_encryption = true
    }
  }

  assert {
    condition = (
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.VpcConfig if try(s.Resource, "") == "arn:aws:states:::sagemaker:createTrainingJob.sync"]) == {
        Subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], SecurityGroupIds = ["sg-0123456789abcdef0"]
      } &&
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.VpcConfig if try(s.Resource, "") == "arn:aws:states:::sagemaker:createModel"]) == {
        Subnets = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"], SecurityGroupIds = ["sg-0123456789abcdef0"]
      }
    )
    error_message = "the VPC must reach CreateTrainingJob and CreateModel"
  }

  assert {
    condition = (
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.EnableNetworkIsolation && s.Parameters.EnableInterContainerTrafficEncryption if try(s.Resource, "") == "arn:aws:states:::sagemaker:createTrainingJob.sync"]) &&
      one([for s in values(jsondecode(output.state_machine_definition).States) : s.Parameters.EnableNetworkIsolation if try(s.Resource, "") == "arn:aws:states:::sagemaker:createModel"])
    )
    error_message = "network isolation must reach training and model, traffic encryption the training job"
  }

  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.sagemaker.statement : s.actions if s.sid == "DescribeVpcResources"])) == toset([
        "ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
      ]) &&
      one([for s in data.aws_iam_policy_document.sagemaker.statement : s.resources if s.sid == "UseGivenSubnetsAndSecurityGroups"]) == toset([
        "arn:aws:ec2:us-east-1:*:subnet/subnet-0123456789abcdef0",
        "arn:aws:ec2:us-east-1:*:subnet/subnet-0123456789abcdef1",
        "arn:aws:ec2:us-east-1:*:security-group/sg-0123456789abcdef0",
      ])
    )
    error_message = "the SageMaker role must describe VPC resources and create interfaces only with the given subnets and groups"
  }

  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.sagemaker.statement : s.actions if s.sid == "ManageNetworkInterfacesInGivenSubnets"])) == toset([
        "ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface",
      ]) &&
      one([for s in data.aws_iam_policy_document.sagemaker.statement : s.resources if s.sid == "ManageNetworkInterfacesInGivenSubnets"]) == toset(["arn:aws:ec2:us-east-1:123456789012:network-interface/*"]) &&
      one([for s in data.aws_iam_policy_document.sagemaker.statement : "${one(s.condition).test} ${one(s.condition).variable}" if s.sid == "ManageNetworkInterfacesInGivenSubnets"]) == "ArnLike ec2:Subnet" &&
      toset(one([for s in data.aws_iam_policy_document.sagemaker.statement : one(s.condition).values if s.sid == "ManageNetworkInterfacesInGivenSubnets"])) == toset([
        "arn:aws:ec2:us-east-1:*:subnet/subnet-0123456789abcdef0", "arn:aws:ec2:us-east-1:*:subnet/subnet-0123456789abcdef1",
      ])
    )
    error_message = "network interfaces must be managed only in the given subnets (ec2:Subnet condition)"
  }
}

# ---------------------------------------------------------------------------------------------------------
# IAM path and permissions boundary
# ---------------------------------------------------------------------------------------------------------

run "roles_under_a_path_with_a_boundary" {
  command = plan

  variables {
    security = {
      permissions_boundary_arn = "arn:aws:iam::123456789012:policy/mlops-boundary"
      iam_path                 = "/mlops/pipelines/"
    }
  }

  assert {
    condition     = length(aws_iam_role.this) == 4 && alltrue([for role in aws_iam_role.this : role.path == "/mlops/pipelines/" && role.permissions_boundary == "arn:aws:iam::123456789012:policy/mlops-boundary"])
    error_message = "every role must get the path and the boundary"
  }

  # The SageMaker role is passed by ARN, which includes the path.
  assert {
    condition = (
      output.state_machine_template_variables.sagemaker_role_arn == "arn:aws:iam::123456789012:role/mlops/pipelines/churn-xgboost-sagemaker" &&
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "PassSageMakerRole"]) == toset(["arn:aws:iam::123456789012:role/mlops/pipelines/churn-xgboost-sagemaker"])
    )
    error_message = "the SageMaker role ARN in the definition and in iam:PassRole must include the path"
  }
}

# ---------------------------------------------------------------------------------------------------------
# Access logs, reserved concurrency, tracing
# ---------------------------------------------------------------------------------------------------------

run "access_logs_default_prefix" {
  command = plan

  variables {
    storage = {
      access_log_bucket = "org-s3-access-logs"
    }
  }

  assert {
    condition     = aws_s3_bucket_logging.pipeline[0].target_bucket == "org-s3-access-logs" && aws_s3_bucket_logging.pipeline[0].target_prefix == "churn-xgboost-123456789012-us-east-1/"
    error_message = "access logs must go to the given bucket under <bucket name>/"
  }
}

run "access_logs_own_prefix" {
  command = plan

  variables {
    storage = {
      access_log_bucket = "org-s3-access-logs"
      access_log_prefix = "mlops/churn/"
    }
  }

  assert {
    condition     = aws_s3_bucket_logging.pipeline[0].target_prefix == "mlops/churn/"
    error_message = "access logs must use the given prefix"
  }
}

run "reserved_concurrency_and_tracing" {
  command = plan

  variables {
    trigger = {
      reserved_concurrent_executions = 5
    }
    observability = {
      lambda_tracing_mode   = "Active"
      state_machine_tracing = true
    }
    scoring = { prefix = "score/" }
  }

  # A policy JSON of its own (the mock gives every document the same one), so the assertions below can tell
  # whether both Lambda functions' policies pull the X-Ray statement in.
  override_data {
    target = data.aws_iam_policy_document.lambda_observability
    values = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"WriteTraces\",\"Effect\":\"Allow\",\"Action\":[\"xray:PutTraceSegments\",\"xray:PutTelemetryRecords\"],\"Resource\":\"*\"}]}"
    }
  }

  assert {
    condition = (
      aws_lambda_function.trigger.reserved_concurrent_executions == 5 &&
      one(aws_lambda_function.trigger.tracing_config).mode == "Active" &&
      one(aws_sfn_state_machine.pipeline.tracing_configuration).enabled == true
    )
    error_message = "reserved concurrency and tracing must reach the Lambda and the state machine"
  }

  assert {
    condition = (
      toset(one([for s in data.aws_iam_policy_document.lambda_observability.statement : s.actions if s.sid == "WriteTraces"])) == toset(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]) &&
      toset(one([for s in data.aws_iam_policy_document.state_machine_observability.statement : s.actions if s.sid == "WriteTraces"])) == toset(["xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"])
    )
    error_message = "tracing on must grant the X-Ray write permissions"
  }

  assert {
    condition = (
      contains(data.aws_iam_policy_document.trigger.source_policy_documents, data.aws_iam_policy_document.lambda_observability.json) &&
      contains(data.aws_iam_policy_document.scoring_rows[0].source_policy_documents, data.aws_iam_policy_document.lambda_observability.json) &&
      length([for s in concat(data.aws_iam_policy_document.trigger.statement, data.aws_iam_policy_document.scoring_rows[0].statement) : s if s.sid == "WriteTraces"]) == 0
    )
    error_message = "both Lambda functions' policies (the trigger and the scoring row counter) must take WriteTraces from lambda_observability, and only from it"
  }
}

run "passthrough_tracing_grants_nothing" {
  command = plan

  variables {
    observability = {
      lambda_tracing_mode = "PassThrough"
    }
  }

  assert {
    condition     = length([for s in data.aws_iam_policy_document.lambda_observability.statement : s if s.sid == "WriteTraces"]) == 0
    error_message = "PassThrough must not grant X-Ray permissions"
  }
}

# ---------------------------------------------------------------------------------------------------------
# Bad values, per field
# ---------------------------------------------------------------------------------------------------------

run "kms_alias_instead_of_key_arn" {
  command = plan
  variables {
    security = {
      kms_key_arn = "arn:aws:kms:us-east-1:123456789012:alias/pipeline"
    }
  }
  expect_failures = [var.security]
}

run "kms_key_id_instead_of_arn" {
  command = plan
  variables {
    security = {
      sagemaker_kms_key_arn = "1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
  expect_failures = [var.security]
}

run "kms_key_in_another_region" {
  command = plan
  variables {
    security = {
      logs_kms_key_arn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    }
  }
  expect_failures = [aws_s3_bucket_server_side_encryption_configuration.pipeline]
}

run "empty_glue_security_configuration_name" {
  command = plan
  variables {
    security = {
      glue_security_configuration = ""
    }
  }
  expect_failures = [var.security]
}

run "boundary_that_is_not_a_policy_arn" {
  command = plan
  variables {
    security = {
      permissions_boundary_arn = "arn:aws:iam::123456789012:role/boundary"
    }
  }
  expect_failures = [var.security]
}

run "iam_path_without_trailing_slash" {
  command = plan
  variables {
    security = {
      iam_path = "/mlops"
    }
  }
  expect_failures = [var.security]
}

run "subnet_id_malformed" {
  command = plan
  variables {
    training = {
      vpc = {
        subnet_ids         = ["subnet-xyz"]
        security_group_ids = ["sg-0123456789abcdef0"]
      }
    }
  }
  expect_failures = [var.training]
}

run "no_security_group" {
  command = plan
  variables {
    training = {
      vpc = {
        subnet_ids         = ["subnet-0123456789abcdef0"]
        security_group_ids = []
      }
    }
  }
  expect_failures = [var.training]
}

run "zero_reserved_concurrency" {
  command = plan
  variables {
    trigger = {
      reserved_concurrent_executions = 0
    }
  }
  expect_failures = [var.trigger]
}

run "unknown_tracing_mode" {
  command = plan
  variables {
    observability = {
      lambda_tracing_mode = "On"
    }
  }
  expect_failures = [var.observability]
}

run "access_log_prefix_without_bucket" {
  command = plan
  variables {
    storage = {
      access_log_prefix = "logs/"
    }
  }
  expect_failures = [var.storage]
}

run "access_logs_into_the_pipeline_bucket" {
  command = plan
  variables {
    storage = {
      access_log_bucket = "churn-xgboost-123456789012-us-east-1"
    }
  }
  expect_failures = [aws_s3_bucket_logging.pipeline]
}
