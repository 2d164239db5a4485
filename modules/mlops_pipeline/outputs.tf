output "bucket_name" {
  description = "Name of the pipeline bucket."
  value       = aws_s3_bucket.pipeline.bucket
}

output "input_s3_uri" {
  description = "S3 URI under which an uploaded CSV starts a run."
  value       = "s3://${aws_s3_bucket.pipeline.bucket}/${var.storage.input_prefix}"
}

output "state_machine_arn" {
  description = "ARN of the pipeline's Step Functions state machine."
  value       = aws_sfn_state_machine.pipeline.arn
}

output "state_machine_name" {
  description = "Name of the pipeline's Step Functions state machine."
  value       = aws_sfn_state_machine.pipeline.name
}

output "endpoint_name" {
  description = "Name of the SageMaker endpoint the pipeline creates and updates."
  value       = local.endpoint_name
}

output "glue_job_name" {
  description = "Name of the Glue ETL job."
  value       = aws_glue_job.etl.name
}

output "trigger_function_name" {
  description = "Name of the trigger Lambda function."
  value       = aws_lambda_function.trigger.function_name
}

output "failure_queue_url" {
  description = "URL of the SQS queue receiving S3 events whose run could not be started."
  value       = aws_sqs_queue.trigger_failures.url
}

output "deployments_table_name" {
  description = "Name of the DynamoDB table holding, per endpoint, the claim of the newest upload's run (bursts: the newest upload wins)."
  value       = aws_dynamodb_table.deployments.name
}

output "training_image" {
  description = "Algorithm image URI used for training and hosting (explicit or resolved for the region)."
  value       = local.training_image
}

output "sagemaker_role_arn" {
  description = "ARN of the role SageMaker training jobs and the endpoint run with."
  value       = aws_iam_role.this["sagemaker"].arn
}

output "state_machine_definition" {
  description = "The rendered Amazon States Language definition (JSON)."
  value       = local.state_machine_definition
}

output "settings" {
  description = "The inputs as the module resolved them (defaults filled in): storage, etl, training, quality_gate, endpoint, endpoint_deployment, approval_mode, notifications, retrain_schedule, scoring, tuning, trigger, observability, security."
  value = {
    storage             = var.storage
    etl                 = var.etl
    training            = var.training
    quality_gate        = var.quality_gate
    endpoint            = var.endpoint
    endpoint_deployment = var.endpoint_deployment
    approval_mode       = var.approval_mode
    notifications       = var.notifications
    retrain_schedule    = var.retrain_schedule
    scoring             = var.scoring
    tuning              = var.tuning
    trigger             = var.trigger
    observability       = var.observability
    security            = var.security
  }
}

output "state_machine_template_variables" {
  description = "The values the state machine template was rendered with (statemachine/render.py renders the same definition from them)."
  value       = local.state_machine_template_variables
}

output "endpoint_rollback_alarm_names" {
  description = "Names of the CloudWatch alarms that roll an endpoint update back: the module's enabled alarms (`<name>-endpoint-<kind>`), then endpoint_deployment.additional_alarm_names."
  value       = local.endpoint_rollback_alarm_names
}

output "endpoint_rollback_alarm_arns" {
  description = "ARNs of those alarms, in the same order (the Step Functions role may cloudwatch:DescribeAlarms them)."
  value       = local.endpoint_rollback_alarm_arns
}

output "endpoint_deployment_config" {
  description = "The DeploymentConfig a run passes to UpdateEndpoint (SageMaker API shape, keys that do not apply left out); jsonencode() it for the CLI."
  value       = local.endpoint_deployment_config
}

output "endpoint_update_max_polls" {
  description = "DescribeEndpoint polls a run waits for an endpoint update: endpoint.max_polls plus the polls covering the deployment's timeout and termination wait."
  value       = local.endpoint_update_max_polls
}

output "model_package_group_name" {
  description = "The pipeline's model package group in the SageMaker Model Registry: one version per run whose training succeeded, Approved (or PendingManualApproval with approval_mode manual) or Rejected by the quality gate."
  value       = aws_sagemaker_model_package_group.this.model_package_group_name
}

output "model_package_group_arn" {
  description = "ARN of that model package group."
  value       = aws_sagemaker_model_package_group.this.arn
}

output "notification_topic_arn" {
  description = "The SNS topic the notification rules send to (the module's or notifications.topic_arn); null when notifications are off. Subscribe to it to be told."
  value       = local.notification_topic_arn
}

output "notification_rule_names" {
  description = "The EventBridge rules that send notifications, by kind (run-failed, endpoint-rolled-back, model-awaiting-approval, model-deployed)."
  value       = { for kind, rule in aws_cloudwatch_event_rule.notifications : kind => rule.name }
}

output "approval_rule_name" {
  description = "The EventBridge rule that deploys an approved model version (approval_mode manual); null in auto mode."
  value       = one(aws_cloudwatch_event_rule.model_approved[*].name)
}

output "retrain_schedule_name" {
  description = "The EventBridge Scheduler schedule that retrains on the newest data (retrain_schedule); null without one."
  value       = one(aws_scheduler_schedule.retrain[*].name)
}

output "scoring_state_machine_arn" {
  description = "ARN of the batch scoring state machine (`<name>-scoring`; scoring.tf); null without scoring."
  value       = one(aws_sfn_state_machine.scoring[*].arn)
}

output "scoring_state_machine_name" {
  description = "Name of the batch scoring state machine; null without scoring."
  value       = one(aws_sfn_state_machine.scoring[*].name)
}

output "scoring_s3_uri" {
  description = "S3 URI under which an uploaded CSV of feature rows is scored; null without scoring."
  value       = local.scoring_enabled ? "s3://${aws_s3_bucket.pipeline.bucket}/${var.scoring.prefix}" : null
}

output "predictions_s3_uri" {
  description = "S3 URI under which each scoring run writes `<run id>/<file>.out` and `<run id>/manifest.json`; null without scoring."
  value       = local.scoring_enabled ? "s3://${aws_s3_bucket.pipeline.bucket}/${local.predictions_prefix}" : null
}

output "scoring_rows_function_name" {
  description = "Name of the function counting a scored file's rows and its predictions; null without scoring."
  value       = one(aws_lambda_function.scoring_rows[*].function_name)
}

output "scoring_template_variables" {
  description = "The values the scoring state machine template was rendered with (statemachine/render.py renders the same definition from them); null without scoring."
  value       = local.scoring_template_variables
}

output "scoring_state_machine_definition" {
  description = "The rendered definition of the scoring state machine (JSON); null without scoring."
  value       = local.scoring_definition
}
