# The example plans with every input at its default (mock provider: no AWS account needed).

mock_provider "aws" {
  source = "../../modules/mlops_pipeline/tests/mocks"
}

run "plans_with_defaults" {
  command = plan

  assert {
    condition     = output.input_s3_uri == "s3://churn-minimal-123456789012-us-east-1/input/"
    error_message = "the minimal example must deploy the default bucket and input prefix"
  }

  assert {
    condition     = output.endpoint_name == "churn-minimal-endpoint"
    error_message = "the minimal example must use the default endpoint name"
  }
}
