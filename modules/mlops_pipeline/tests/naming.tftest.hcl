# Derived names, their service limits, and overrides.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
}

run "default_names" {
  command = plan

  assert {
    condition     = output.bucket_name == "churn-xgboost-123456789012-us-east-1"
    error_message = "bucket name should be <name>-<account>-<region>, got ${output.bucket_name}"
  }

  assert {
    condition     = output.input_s3_uri == "s3://churn-xgboost-123456789012-us-east-1/input/"
    error_message = "input_s3_uri is ${output.input_s3_uri}"
  }

  assert {
    condition     = output.endpoint_name == "churn-xgboost-endpoint"
    error_message = "default endpoint name should be <name>-endpoint, got ${output.endpoint_name}"
  }

  assert {
    condition     = output.glue_job_name == "churn-xgboost-etl" && output.trigger_function_name == "churn-xgboost-trigger"
    error_message = "Glue job / Lambda names: ${output.glue_job_name} / ${output.trigger_function_name}"
  }

  assert {
    condition     = aws_sfn_state_machine.pipeline.name == "churn-xgboost-pipeline"
    error_message = "state machine name is ${aws_sfn_state_machine.pipeline.name}"
  }

  assert {
    condition = toset([for role in aws_iam_role.this : role.name]) == toset([
      "churn-xgboost-trigger", "churn-xgboost-glue", "churn-xgboost-sagemaker", "churn-xgboost-states",
    ])
    error_message = "IAM role names are not the expected <name>-<component> set"
  }

  assert {
    condition     = aws_s3_object.glue_script.key == "scripts/etl_job.py" && aws_s3_object.glue_script.etag == filemd5("../../glue/etl_job.py")
    error_message = "the Glue script must be uploaded under scripts/ with its MD5 as etag (so edits redeploy)"
  }

  assert {
    condition     = aws_s3_bucket.pipeline.force_destroy == false
    error_message = "force_destroy must default to false"
  }
}

# The longest allowed name in the region with the longest name: every derived name stays within its limit.
run "longest_name_fits_every_limit" {
  command = plan

  variables {
    name = "abcdefghij-klmnopqrst-uv"
  }

  override_data {
    target = data.aws_region.current
    values = { name = "ap-southeast-4" }
  }

  assert {
    condition     = length(var.name) == 24
    error_message = "this run must use the maximum name length"
  }

  assert {
    condition     = length(output.bucket_name) <= 63 && output.bucket_name == "abcdefghij-klmnopqrst-uv-123456789012-ap-southeast-4"
    error_message = "bucket name ${output.bucket_name} exceeds 63 characters or is wrong"
  }

  # The trigger derives `<name>--<run_id>`; the run id needs room for at least a slug character, a hyphen
  # and its 10 hash characters (statemachine/README.md).
  assert {
    condition     = length("${var.name}--a-0123456789") <= 63
    error_message = "no room left for a run id within SageMaker's 63 characters"
  }

  assert {
    condition     = length(output.endpoint_name) <= 63 && can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", output.endpoint_name))
    error_message = "default endpoint name ${output.endpoint_name} is not a valid SageMaker name"
  }

  assert {
    condition     = alltrue([for role in aws_iam_role.this : length(role.name) <= 64]) && alltrue([for policy in aws_iam_role_policy.this : length(policy.name) <= 128])
    error_message = "an IAM role or policy name exceeds IAM's limit"
  }

  assert {
    condition     = length(output.trigger_function_name) <= 64 && length(output.glue_job_name) <= 255 && length(aws_sfn_state_machine.pipeline.name) <= 80
    error_message = "a Lambda, Glue or Step Functions name exceeds its limit"
  }

  assert {
    condition     = length(aws_sqs_queue.trigger_failures.name) <= 80
    error_message = "the failure queue name exceeds SQS's 80 characters"
  }
}

run "overridden_bucket_and_endpoint_names" {
  command = plan

  variables {
    storage = {
      bucket_name = "my-own-bucket"
    }
    endpoint = {
      name = "Churn-Live"
    }
  }

  assert {
    condition     = output.bucket_name == "my-own-bucket" && output.input_s3_uri == "s3://my-own-bucket/input/"
    error_message = "bucket_name override not applied: ${output.bucket_name}"
  }

  assert {
    condition     = output.endpoint_name == "Churn-Live"
    error_message = "endpoint_name override not applied: ${output.endpoint_name}"
  }

  # SageMaker lowercases names in ARNs; a mixed-case endpoint name must still be granted.
  assert {
    condition = contains(
      one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "DescribeEndpoint"]),
      "arn:aws:sagemaker:us-east-1:123456789012:endpoint/churn-live",
    )
    error_message = "the endpoint ARN granted to Step Functions must be the lowercased endpoint name"
  }
}

# A root that passes null for an optional input gets the module default (nullable = false).
run "null_inputs_take_defaults" {
  command = plan

  variables {
    storage = {
      input_prefix = null
    }
    etl = {
      train_fraction = null
    }
    quality_gate = {
      enabled = null
    }
    training = {
      hyperparameters = null
      instance_type   = null
    }
  }

  assert {
    condition     = output.input_s3_uri == "s3://churn-xgboost-123456789012-us-east-1/input/"
    error_message = "a null input_prefix should fall back to input/"
  }

  assert {
    condition     = aws_glue_job.etl.default_arguments["--train_fraction"] == "0.8"
    error_message = "a null train_fraction should fall back to 0.8"
  }
}

# A team's own ETL script replaces the repository's; its MD5 still drives redeployment.
run "own_glue_script" {
  command = plan

  variables {
    etl = {
      script_path = "tests/fixtures/etl_job.py"
    }
  }

  assert {
    condition     = aws_s3_object.glue_script.key == "scripts/etl_job.py" && aws_s3_object.glue_script.etag == filemd5("tests/fixtures/etl_job.py") && aws_s3_object.glue_script.source == "tests/fixtures/etl_job.py"
    error_message = "etl.script_path must be the uploaded script"
  }
}
