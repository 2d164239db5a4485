# The example plans, and every field it sets reaches the module (mock provider: no AWS account needed).

mock_provider "aws" {
  source = "../../modules/mlops_pipeline/tests/mocks"
}

run "plans_with_every_input_set" {
  command = plan

  assert {
    condition     = output.input_s3_uri == "s3://churn-linear-example-bucket/uploads/churn/" && output.endpoint_name == "churn-linear-live"
    error_message = "storage and endpoint names must reach the module"
  }

  assert {
    condition = (
      output.settings.etl.input_has_header && output.settings.etl.expected_columns == 70 &&
      output.settings.training.image_repository == "linear-learner" &&
      output.settings.quality_gate.comparison == "GreaterThanEquals" &&
      output.settings.endpoint.instance_count == 2 &&
      output.settings.trigger.maximum_event_age_seconds == 7200 &&
      output.settings.observability.state_machine_log_level == "ALL"
    )
    error_message = "a field of the complete example did not reach the module"
  }
}

run "hardening_options_reach_the_resources" {
  command = plan

  assert {
    condition = (
      output.settings.security.kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
      output.settings.security.iam_path == "/mlops/" &&
      output.settings.storage.access_log_bucket == "example-org-s3-access-logs" &&
      output.settings.trigger.reserved_concurrent_executions == 10 &&
      output.settings.observability.lambda_tracing_mode == "Active" && output.settings.observability.state_machine_tracing
    )
    error_message = "a hardening field of the complete example did not reach the module"
  }

  # The SageMaker calls carry the key (the bucket's: no SageMaker key of its own), the VPC and the isolation,
  # and run as the role under its path.
  assert {
    condition = alltrue([
      for state in values(jsondecode(module.pipeline.state_machine_definition).States) : (
        try(state.Resource, "") == "arn:aws:states:::sagemaker:createTrainingJob.sync" ? (
          state.Parameters.ResourceConfig.VolumeKmsKeyId == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
          state.Parameters.OutputDataConfig.KmsKeyId == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" &&
          state.Parameters.VpcConfig.Subnets == ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"] &&
          state.Parameters.EnableNetworkIsolation && state.Parameters.EnableInterContainerTrafficEncryption &&
          state.Parameters.RoleArn == "arn:aws:iam::123456789012:role/mlops/churn-linear-sagemaker"
        ) :
        try(state.Resource, "") == "arn:aws:states:::sagemaker:createModel" ? (
          state.Parameters.VpcConfig.SecurityGroupIds == ["sg-0123456789abcdef0"] && state.Parameters.EnableNetworkIsolation
        ) :
        try(state.Resource, "") == "arn:aws:states:::sagemaker:createEndpointConfig" ? (
          state.Parameters.KmsKeyId == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
        ) : true
      )
    ])
    error_message = "the KMS key, VPC, isolation and role path must reach CreateTrainingJob, CreateModel and CreateEndpointConfig"
  }
}

# The canary configuration becomes the DeploymentConfig of every later run's UpdateEndpoint.
run "canary_rollout_is_configured" {
  command = plan

  assert {
    condition = jsonencode(module.pipeline.endpoint_deployment_config) == jsonencode({
      BlueGreenUpdatePolicy = {
        TrafficRoutingConfiguration = {
          Type                  = "CANARY"
          WaitIntervalInSeconds = 600
          CanarySize            = { Type = "INSTANCE_COUNT", Value = 1 }
        }
        TerminationWaitInSeconds         = 300
        MaximumExecutionTimeoutInSeconds = 3300
      }
      AutoRollbackConfiguration = {
        Alarms = [
          { AlarmName = "churn-linear-endpoint-5xx-errors" },
          { AlarmName = "churn-linear-endpoint-4xx-errors" },
          { AlarmName = "churn-linear-endpoint-model-latency" },
          { AlarmName = "churn-linear-prediction-drift" },
        ]
      }
    })
    error_message = "the example's canary must reach the DeploymentConfig: ${jsonencode(module.pipeline.endpoint_deployment_config)}"
  }

  assert {
    condition     = output.settings.endpoint_deployment.alarms.model_latency.threshold == 100000 && output.settings.endpoint_deployment.alarms.invocation_4xx_errors.evaluation_periods == 3
    error_message = "the example's alarm settings must reach the module"
  }
}

run "approval_notifications_and_retraining_are_configured" {
  command = plan

  assert {
    condition = (
      module.pipeline.approval_rule_name == "churn-linear-model-approved" &&
      module.pipeline.notification_topic_arn == "arn:aws:sns:us-east-1:123456789012:ml-platform-alerts" &&
      module.pipeline.retrain_schedule_name == "churn-linear-retrain"
    )
    error_message = "the complete example approves by hand, notifies the team's topic and retrains weekly"
  }
}
