# Bad inputs are rejected at plan time by the variables' validation blocks.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name                 = "churn-xgboost"
  trigger_package_path = "tests/fixtures/trigger.zip"
  glue_script_path     = "tests/fixtures/etl_job.py"
}

run "name_too_long" {
  command = plan
  variables {
    name = "abcdefghij-klmnopqrst-uvw"
  }
  expect_failures = [var.name]
}

run "name_too_short" {
  command = plan
  variables {
    name = "ab"
  }
  expect_failures = [var.name]
}

run "name_with_uppercase" {
  command = plan
  variables {
    name = "Churn-xgboost"
  }
  expect_failures = [var.name]
}

run "name_ending_with_hyphen" {
  command = plan
  variables {
    name = "churn-"
  }
  expect_failures = [var.name]
}

run "missing_lambda_package" {
  command = plan
  variables {
    trigger_package_path = "tests/fixtures/does-not-exist.zip"
  }
  expect_failures = [var.trigger_package_path]
}

run "missing_glue_script" {
  command = plan
  variables {
    glue_script_path = "tests/fixtures/does-not-exist.py"
  }
  expect_failures = [var.glue_script_path]
}

run "missing_state_machine_template" {
  command = plan
  variables {
    state_machine_template_path = "tests/fixtures/does-not-exist.tftpl"
  }
  expect_failures = [var.state_machine_template_path]
}

run "unknown_gate_comparison" {
  command = plan
  variables {
    quality_gate_comparison = "Below"
  }
  expect_failures = [var.quality_gate_comparison]
}

run "metric_name_breaking_the_jsonpath_filter" {
  command = plan
  variables {
    quality_gate_metric_name = "validation:error']"
  }
  expect_failures = [var.quality_gate_metric_name]
}

run "input_prefix_without_trailing_slash" {
  command = plan
  variables {
    input_prefix = "input"
  }
  expect_failures = [var.input_prefix]
}

run "input_prefix_with_leading_slash" {
  command = plan
  variables {
    input_prefix = "/input/"
  }
  expect_failures = [var.input_prefix]
}

run "input_prefix_inside_runs" {
  command = plan
  variables {
    input_prefix = "runs/"
  }
  expect_failures = [var.input_prefix]
}

run "input_prefix_under_runs" {
  command = plan
  variables {
    input_prefix = "runs/uploads/"
  }
  expect_failures = [var.input_prefix]
}

run "train_fraction_of_one" {
  command = plan
  variables {
    train_fraction = 1
  }
  expect_failures = [var.train_fraction]
}

run "train_fraction_of_zero" {
  command = plan
  variables {
    train_fraction = 0
  }
  expect_failures = [var.train_fraction]
}

run "max_rejected_fraction_of_one" {
  command = plan
  variables {
    max_rejected_fraction = 1
  }
  expect_failures = [var.max_rejected_fraction]
}

run "fractional_label_column" {
  command = plan
  variables {
    label_column = 1.5
  }
  expect_failures = [var.label_column]
}

run "single_glue_worker" {
  command = plan
  variables {
    glue_number_of_workers = 1
  }
  expect_failures = [var.glue_number_of_workers]
}

run "image_uri_outside_ecr" {
  command = plan
  variables {
    training_image_uri = "docker.io/library/xgboost:latest"
  }
  expect_failures = [var.training_image_uri]
}

run "endpoint_name_too_long" {
  command = plan
  variables {
    endpoint_name = "a234567890123456789012345678901234567890123456789012345678901234"
  }
  expect_failures = [var.endpoint_name]
}

run "endpoint_name_with_underscore" {
  command = plan
  variables {
    endpoint_name = "churn_endpoint"
  }
  expect_failures = [var.endpoint_name]
}

run "bucket_name_with_uppercase" {
  command = plan
  variables {
    bucket_name = "My-Bucket"
  }
  expect_failures = [var.bucket_name]
}

run "non_sagemaker_instance_type" {
  command = plan
  variables {
    training_instance_type = "m5.large"
  }
  expect_failures = [var.training_instance_type]
}

run "retry_attempts_beyond_lambda_limit" {
  command = plan
  variables {
    trigger_maximum_retry_attempts = 3
  }
  expect_failures = [var.trigger_maximum_retry_attempts]
}

run "event_age_beyond_lambda_limit" {
  command = plan
  variables {
    trigger_maximum_event_age_seconds = 30
  }
  expect_failures = [var.trigger_maximum_event_age_seconds]
}

run "unsupported_log_retention" {
  command = plan
  variables {
    log_retention_days = 10
  }
  expect_failures = [var.log_retention_days]
}

run "zero_poll_interval" {
  command = plan
  variables {
    endpoint_poll_interval_seconds = 0
  }
  expect_failures = [var.endpoint_poll_interval_seconds]
}

run "zero_run_data_expiry" {
  command = plan
  variables {
    run_data_expiration_days = 0
  }
  expect_failures = [var.run_data_expiration_days]
}

run "expected_columns_of_one" {
  command = plan
  variables {
    expected_columns = 1
  }
  expect_failures = [var.expected_columns]
}
