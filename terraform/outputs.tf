output "pipelines" {
  description = "Per pipeline (keyed by name): bucket, input URI, state machine, endpoint, Glue job, trigger function, failure queue, image and rendered definition."
  value = {
    for name, pipeline in module.pipeline : name => {
      bucket_name              = pipeline.bucket_name
      input_s3_uri             = pipeline.input_s3_uri
      state_machine_arn        = pipeline.state_machine_arn
      state_machine_name       = pipeline.state_machine_name
      endpoint_name            = pipeline.endpoint_name
      glue_job_name            = pipeline.glue_job_name
      trigger_function_name    = pipeline.trigger_function_name
      failure_queue_url        = pipeline.failure_queue_url
      training_image           = pipeline.training_image
      sagemaker_role_arn       = pipeline.sagemaker_role_arn
      state_machine_definition = pipeline.state_machine_definition
    }
  }
}
