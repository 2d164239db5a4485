# Approval mode (approval.tf), notifications (notifications.tf), the registry group's tags and the state
# machine's grants for the evaluation record and its announcements.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "auto_mode_by_default" {
  command = plan

  assert {
    condition     = length(aws_cloudwatch_event_rule.model_approved) == 0 && length(aws_lambda_permission.approval_events) == 0 && length(aws_sqs_queue_policy.trigger_failures) == 0
    error_message = "auto mode deploys from the run itself: no approval rule (SageMaker's creation event would deploy the version twice)"
  }

  assert {
    condition = (
      output.state_machine_template_variables.approval.manual == false &&
      output.state_machine_template_variables.approval.status_when_passed == "Approved" &&
      jsondecode(output.state_machine_definition).States.ApproveByGate.Parameters.status == "Approved" &&
      jsondecode(output.state_machine_definition).States.CheckVerdict.Default == "CreateModel" &&
      !contains(keys(jsondecode(output.state_machine_definition).States), "AwaitingApproval")
    )
    error_message = "auto mode registers a passing model Approved and deploys it in the same run"
  }

  assert {
    condition = (
      aws_sagemaker_model_package_group.this.tags["mlops-pipeline:endpoint-name"] == "churn-xgboost-endpoint" &&
      aws_sagemaker_model_package_group.this.tags["mlops-pipeline:state-machine-arn"] == "arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-pipeline" &&
      aws_sagemaker_model_package_group.this.tags["mlops-pipeline:approval-mode"] == "auto" &&
      aws_sagemaker_model_package_group.this.tags["mlops-pipeline"] == "churn-xgboost"
    )
    error_message = "the group's tags must name the endpoint, the state machine and the approval mode (pipeline_cli finds the pipeline from them)"
  }
}

run "manual_mode_waits_for_a_person_and_deploys_on_approval" {
  command = plan

  variables {
    approval_mode = "manual"
  }

  assert {
    condition = (
      jsondecode(output.state_machine_definition).States.ApproveByGate.Parameters.status == "PendingManualApproval" &&
      jsondecode(output.state_machine_definition).States.CheckVerdict.Default == "SummarizeAwaitingApproval" &&
      jsondecode(output.state_machine_definition).States.AwaitingApproval.Type == "Succeed"
    )
    error_message = "manual mode registers a passing model PendingManualApproval and ends the run AwaitingApproval"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.model_approved[0].event_pattern) == {
      source        = ["aws.sagemaker"]
      "detail-type" = ["SageMaker Model Package State Change"]
      detail = {
        ModelPackageGroupName = ["churn-xgboost"]
        ModelApprovalStatus   = ["Approved"]
      }
    }
    error_message = "the approval rule must match only Approved changes of this pipeline's group (unfiltered, it fires on every change of every version)"
  }

  assert {
    condition = (
      aws_cloudwatch_event_rule.model_approved[0].name == "churn-xgboost-model-approved" &&
      aws_lambda_permission.approval_events[0].principal == "events.amazonaws.com" &&
      aws_lambda_permission.approval_events[0].function_name == "churn-xgboost-trigger" &&
      aws_lambda_permission.approval_events[0].source_account == "123456789012" &&
      aws_sagemaker_model_package_group.this.tags["mlops-pipeline:approval-mode"] == "manual"
    )
    error_message = "the approval rule must invoke the trigger, which EventBridge may invoke for this rule only"
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.trigger_failures_queue[0].statement).actions == toset(["sqs:SendMessage"]) &&
      one(one(data.aws_iam_policy_document.trigger_failures_queue[0].statement).principals).identifiers == toset(["events.amazonaws.com"])
    )
    error_message = "the failure queue takes the approval rule's dead letters from EventBridge only"
  }
}

run "approval_mode_is_validated" {
  command = plan

  variables {
    approval_mode = "human"
  }

  expect_failures = [var.approval_mode]
}

run "notifications_by_default" {
  command = plan

  assert {
    condition     = aws_sns_topic.notifications[0].name == "churn-xgboost-notifications" && aws_sns_topic.notifications[0].kms_master_key_id == null
    error_message = "a topic per pipeline, unencrypted without a customer managed key (EventBridge cannot use alias/aws/sns)"
  }

  assert {
    condition     = toset(keys(aws_cloudwatch_event_rule.notifications)) == toset(["run-failed", "endpoint-rolled-back", "model-awaiting-approval", "model-deployed"])
    error_message = "one rule per kind of message"
  }

  assert {
    condition = jsondecode(aws_cloudwatch_event_rule.notifications["run-failed"].event_pattern) == {
      source        = ["aws.states"]
      "detail-type" = ["Step Functions Execution Status Change"]
      detail = {
        stateMachineArn = ["arn:aws:states:us-east-1:123456789012:stateMachine:churn-xgboost-pipeline"]
        "$or" = [
          { status = ["TIMED_OUT", "ABORTED"] },
          { status = ["FAILED"], error = [{ "anything-but" = ["EndpointUpdateRolledBack"] }] },
        ]
      }
    }
    error_message = "failures, timeouts and aborts of this state machine only; a rollback has its own message (one message per run)"
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_event_rule.notifications["endpoint-rolled-back"].event_pattern).detail.error == ["EndpointUpdateRolledBack"]
    error_message = "the rollback rule must match the run's EndpointUpdateRolledBack failure"
  }

  assert {
    condition = (
      jsondecode(aws_cloudwatch_event_rule.notifications["model-deployed"].event_pattern) == { source = ["mlops-pipeline.churn-xgboost"], "detail-type" = ["Model Deployed"] } &&
      jsondecode(aws_cloudwatch_event_rule.notifications["model-awaiting-approval"].event_pattern) == { source = ["mlops-pipeline.churn-xgboost"], "detail-type" = ["Model Awaiting Approval"] } &&
      jsondecode(output.state_machine_definition).States.AnnounceDeployed.Parameters.Entries[0].Source == "mlops-pipeline.churn-xgboost"
    )
    error_message = "the deployed / awaiting rules must match the events this pipeline's runs put, by this pipeline's source"
  }

  assert {
    condition = (
      one(aws_cloudwatch_event_target.notifications["run-failed"].input_transformer).input_paths.run == "$.detail.name" &&
      one(aws_cloudwatch_event_target.notifications["run-failed"].input_transformer).input_paths.error == "$.detail.error" &&
      strcontains(one(aws_cloudwatch_event_target.notifications["run-failed"].input_transformer).input_template, "#/v2/executions/details/<execution>") &&
      strcontains(one(aws_cloudwatch_event_target.notifications["model-awaiting-approval"].input_transformer).input_template, "mlops-pipeline approve --pipeline churn-xgboost --version <version>") &&
      one(aws_cloudwatch_event_target.notifications["model-deployed"].input_transformer).input_paths.version == "$.detail.model_package_version"
    )
    error_message = "the messages name the run, the error, the version and say what to do, with a console link"
  }

  assert {
    condition = (
      one(data.aws_iam_policy_document.notifications_topic[0].statement).actions == toset(["sns:Publish"]) &&
      one(one(data.aws_iam_policy_document.notifications_topic[0].statement).principals).identifiers == toset(["events.amazonaws.com"]) &&
      contains([for c in one(data.aws_iam_policy_document.notifications_topic[0].statement).condition : c.variable], "aws:SourceArn") &&
      contains([for c in one(data.aws_iam_policy_document.notifications_topic[0].statement).condition : c.variable], "aws:SourceAccount")
    )
    error_message = "the topic's policy lets only this pipeline's rules (EventBridge, this account) publish"
  }

  assert {
    condition     = length(aws_sns_topic_subscription.notification_emails) == 0
    error_message = "no subscription unless addresses are given"
  }
}

run "notifications_to_an_existing_topic_with_emails" {
  command = plan

  variables {
    notifications = {
      topic_arn       = "arn:aws:sns:us-east-1:123456789012:team-alerts"
      email_addresses = ["ml-team@example.com", "oncall@example.com"]
    }
  }

  assert {
    condition = (
      length(aws_sns_topic.notifications) == 0 && length(aws_sns_topic_policy.notifications) == 0 &&
      alltrue([for target in aws_cloudwatch_event_target.notifications : target.arn == "arn:aws:sns:us-east-1:123456789012:team-alerts"]) &&
      toset([for s in aws_sns_topic_subscription.notification_emails : s.endpoint]) == toset(["ml-team@example.com", "oncall@example.com"]) &&
      output.notification_topic_arn == "arn:aws:sns:us-east-1:123456789012:team-alerts"
    )
    error_message = "a given topic is used as it is (its policy is the owner's), with the addresses subscribed"
  }
}

run "notifications_off" {
  command = plan

  variables {
    notifications = { enabled = false }
  }

  assert {
    condition     = length(aws_sns_topic.notifications) == 0 && length(aws_cloudwatch_event_rule.notifications) == 0 && output.notification_topic_arn == null
    error_message = "enabled = false: no topic, no rules"
  }
}

run "notification_topic_must_be_a_standard_topic_arn" {
  command = plan

  variables {
    notifications = { topic_arn = "arn:aws:sns:us-east-1:123456789012:alerts.fifo" }
  }

  expect_failures = [var.notifications]
}

run "notification_emails_must_be_addresses" {
  command = plan

  variables {
    notifications = { email_addresses = ["ml-team@example.com", "not an address"] }
  }

  expect_failures = [var.notifications]
}

run "notifications_off_with_addresses_is_a_contradiction" {
  command = plan

  variables {
    notifications = { enabled = false, email_addresses = ["ml-team@example.com"] }
  }

  expect_failures = [var.notifications]
}

run "state_machine_grants_for_evaluation_approval_and_announcements" {
  command = plan

  variables {
    security = { kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "ReadEtlManifests"]) == toset(["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*/etl/manifest.json"]) &&
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "WriteEvaluations"]) == toset(["arn:aws:s3:::churn-xgboost-123456789012-us-east-1/runs/*/evaluation.json"]) &&
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "DescribeModelVersions"]) == toset(["arn:aws:sagemaker:us-east-1:123456789012:model-package/churn-xgboost/*"]) &&
      length([for s in data.aws_iam_policy_document.kms_key_uses["step_function"].statement : s if s.sid == "UseBucketKeyForEvaluations"]) == 1
    )
    error_message = "the state machine reads the manifest, writes the evaluation (with the bucket key) and reads its own model versions, nothing more"
  }

  assert {
    condition = (
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "AnnounceRunOutcomes"]) == toset(["arn:aws:events:us-east-1:123456789012:event-bus/default"]) &&
      one(one([for s in data.aws_iam_policy_document.step_function.statement : s.condition if s.sid == "AnnounceRunOutcomes"])).variable == "events:source" &&
      toset(one(one([for s in data.aws_iam_policy_document.step_function.statement : s.condition if s.sid == "AnnounceRunOutcomes"])).values) == toset(["mlops-pipeline.churn-xgboost"])
    )
    error_message = "the state machine may put events on the default bus with its own source only"
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.RegisterModel.Parameters.ModelMetrics.ModelQuality.Statistics == { ContentType = "application/json", "S3Uri.$" = "$.outputs.evaluation" }
    error_message = "each version points at its run's evaluation record"
  }
}
