output "input_s3_uri" {
  description = "Upload a CSV here to start a run."
  value       = module.pipeline.input_s3_uri
}

output "state_machine_arn" {
  description = "Follow runs in this state machine."
  value       = module.pipeline.state_machine_arn
}

output "endpoint_name" {
  description = "The endpoint the first successful run creates."
  value       = module.pipeline.endpoint_name
}

output "failure_queue_url" {
  description = "S3 events whose run could not be started land here."
  value       = module.pipeline.failure_queue_url
}

output "settings" {
  description = "The module's input objects with defaults filled in."
  value       = module.pipeline.settings
}
