locals {
  trigger_package_path = coalesce(var.trigger_package_path, "${path.root}/../build/trigger.zip")
  glue_script_path     = coalesce(var.glue_script_path, "${path.root}/../glue/etl_job.py")
}

module "pipeline" {
  source   = "../modules/mlops_pipeline"
  for_each = var.pipelines

  name                 = each.key
  trigger_package_path = local.trigger_package_path
  glue_script_path     = local.glue_script_path
  tags                 = merge(var.tags, coalesce(each.value.tags, {}))

  log_retention_days                = each.value.log_retention_days
  state_machine_log_level           = each.value.state_machine_log_level
  bucket_name                       = each.value.bucket_name
  force_destroy                     = each.value.force_destroy
  input_prefix                      = each.value.input_prefix
  run_data_expiration_days          = each.value.run_data_expiration_days
  glue_version                      = each.value.glue_version
  glue_worker_type                  = each.value.glue_worker_type
  glue_number_of_workers            = each.value.glue_number_of_workers
  glue_timeout_minutes              = each.value.glue_timeout_minutes
  glue_max_concurrent_runs          = each.value.glue_max_concurrent_runs
  train_fraction                    = each.value.train_fraction
  label_column                      = each.value.label_column
  input_has_header                  = each.value.input_has_header
  min_valid_rows                    = each.value.min_valid_rows
  max_rejected_fraction             = each.value.max_rejected_fraction
  expected_columns                  = each.value.expected_columns
  training_image_uri                = each.value.training_image_uri
  training_image_repository         = each.value.training_image_repository
  training_image_tag                = each.value.training_image_tag
  hyperparameters                   = each.value.hyperparameters
  training_content_type             = each.value.training_content_type
  training_instance_type            = each.value.training_instance_type
  training_instance_count           = each.value.training_instance_count
  training_volume_size_gb           = each.value.training_volume_size_gb
  training_max_runtime_seconds      = each.value.training_max_runtime_seconds
  quality_gate_enabled              = each.value.quality_gate_enabled
  quality_gate_metric_name          = each.value.quality_gate_metric_name
  quality_gate_comparison           = each.value.quality_gate_comparison
  quality_gate_threshold            = each.value.quality_gate_threshold
  endpoint_name                     = each.value.endpoint_name
  endpoint_instance_type            = each.value.endpoint_instance_type
  endpoint_instance_count           = each.value.endpoint_instance_count
  endpoint_poll_interval_seconds    = var.endpoint_poll_interval_seconds != null ? var.endpoint_poll_interval_seconds : each.value.endpoint_poll_interval_seconds
  endpoint_max_polls                = each.value.endpoint_max_polls
  trigger_maximum_retry_attempts    = each.value.trigger_maximum_retry_attempts
  trigger_maximum_event_age_seconds = each.value.trigger_maximum_event_age_seconds
  failure_queue_retention_seconds   = each.value.failure_queue_retention_seconds
}
