output "pipelines" {
  description = "Per pipeline (keyed by name): bucket, input URI, state machine, endpoint and its rollback alarms, model package group (registry), notification topic, approval rule, retraining schedule, scoring state machine and prefixes, Glue job, trigger function, failure queue, image, the resolved settings and the rendered definition."
  value = {
    for name, pipeline in module.pipeline : name => {
      bucket_name                      = pipeline.bucket_name
      input_s3_uri                     = pipeline.input_s3_uri
      state_machine_arn                = pipeline.state_machine_arn
      state_machine_name               = pipeline.state_machine_name
      endpoint_name                    = pipeline.endpoint_name
      glue_job_name                    = pipeline.glue_job_name
      trigger_function_name            = pipeline.trigger_function_name
      failure_queue_url                = pipeline.failure_queue_url
      deployments_table_name           = pipeline.deployments_table_name
      endpoint_rollback_alarm_names    = pipeline.endpoint_rollback_alarm_names
      model_package_group_name         = pipeline.model_package_group_name
      notification_topic_arn           = pipeline.notification_topic_arn
      approval_rule_name               = pipeline.approval_rule_name
      retrain_schedule_name            = pipeline.retrain_schedule_name
      training_image                   = pipeline.training_image
      sagemaker_role_arn               = pipeline.sagemaker_role_arn
      settings                         = pipeline.settings
      state_machine_definition         = pipeline.state_machine_definition
      state_machine_template_variables = pipeline.state_machine_template_variables
      scoring_state_machine_arn        = pipeline.scoring_state_machine_arn
      scoring_s3_uri                   = pipeline.scoring_s3_uri
      predictions_s3_uri               = pipeline.predictions_s3_uri
    }
  }

  precondition {
    condition     = length(local.unknown_settings) == 0
    error_message = "Unknown pipeline settings (misspelt, or not a field of the module's input objects; see modules/mlops_pipeline/README.md): ${join(", ", local.unknown_settings)}."
  }
}
