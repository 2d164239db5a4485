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
