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
