# Bad inputs are rejected at plan time by the variables' validation blocks.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
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

# "--" separates the pipeline name from the run id in SageMaker names: `a--b`'s grants `a--b--*` are safe,
# but pipeline `a`'s grants `a--*` would cover them.
run "name_with_double_hyphen" {
  command = plan
  variables {
    name = "churn--xgb"
  }
  expect_failures = [var.name]
}

run "missing_glue_script" {
  command = plan
  variables {
    etl = {
      script_path = "tests/fixtures/does-not-exist.py"
    }
  }
  expect_failures = [var.etl]
}

run "unknown_gate_comparison" {
  command = plan
  variables {
    quality_gate = {
      comparison = "Below"
    }
  }
  expect_failures = [var.quality_gate]
}

run "metric_name_breaking_the_jsonpath_filter" {
  command = plan
  variables {
    quality_gate = {
      metric_name = "validation:error']"
    }
  }
  expect_failures = [var.quality_gate]
}

run "input_prefix_without_trailing_slash" {
  command = plan
  variables {
    storage = {
      input_prefix = "input"
    }
  }
  expect_failures = [var.storage]
}

run "input_prefix_with_leading_slash" {
  command = plan
  variables {
    storage = {
      input_prefix = "/input/"
    }
  }
  expect_failures = [var.storage]
}

run "input_prefix_inside_runs" {
  command = plan
  variables {
    storage = {
      input_prefix = "runs/"
    }
  }
  expect_failures = [var.storage]
}

run "input_prefix_under_runs" {
  command = plan
  variables {
    storage = {
      input_prefix = "runs/uploads/"
    }
  }
  expect_failures = [var.storage]
}

# scripts/ holds the Glue script the module uploads: as an input prefix, deploying would start a run.
run "input_prefix_under_scripts" {
  command = plan
  variables {
    storage = {
      input_prefix = "scripts/"
    }
  }
  expect_failures = [var.storage]
}

run "train_fraction_of_one" {
  command = plan
  variables {
    etl = {
      train_fraction = 1
    }
  }
  expect_failures = [var.etl]
}

run "train_fraction_of_zero" {
  command = plan
  variables {
    etl = {
      train_fraction = 0
    }
  }
  expect_failures = [var.etl]
}

run "max_rejected_fraction_of_one" {
  command = plan
  variables {
    etl = {
      max_rejected_fraction = 1
    }
  }
  expect_failures = [var.etl]
}

run "fractional_label_column" {
  command = plan
  variables {
    etl = {
      label_column = 1.5
    }
  }
  expect_failures = [var.etl]
}

run "single_glue_worker" {
  command = plan
  variables {
    etl = {
      number_of_workers = 1
    }
  }
  expect_failures = [var.etl]
}

run "image_uri_outside_ecr" {
  command = plan
  variables {
    training = {
      image_uri = "docker.io/library/xgboost:latest"
    }
  }
  expect_failures = [var.training]
}

run "endpoint_name_too_long" {
  command = plan
  variables {
    endpoint = {
      name = "a234567890123456789012345678901234567890123456789012345678901234"
    }
  }
  expect_failures = [var.endpoint]
}

run "endpoint_name_with_underscore" {
  command = plan
  variables {
    endpoint = {
      name = "churn_endpoint"
    }
  }
  expect_failures = [var.endpoint]
}

run "bucket_name_with_uppercase" {
  command = plan
  variables {
    storage = {
      bucket_name = "My-Bucket"
    }
  }
  expect_failures = [var.storage]
}

run "non_sagemaker_instance_type" {
  command = plan
  variables {
    training = {
      instance_type = "m5.large"
    }
  }
  expect_failures = [var.training]
}

run "retry_attempts_beyond_lambda_limit" {
  command = plan
  variables {
    trigger = {
      maximum_retry_attempts = 3
    }
  }
  expect_failures = [var.trigger]
}

run "event_age_beyond_lambda_limit" {
  command = plan
  variables {
    trigger = {
      maximum_event_age_seconds = 30
    }
  }
  expect_failures = [var.trigger]
}

run "unsupported_log_retention" {
  command = plan
  variables {
    observability = {
      log_retention_days = 10
    }
  }
  expect_failures = [var.observability]
}

run "execution_data_with_logging_off" {
  command = plan
  variables {
    observability = {
      state_machine_log_level              = "OFF"
      state_machine_include_execution_data = true
    }
  }
  expect_failures = [var.observability]
}

run "zero_poll_interval" {
  command = plan
  variables {
    endpoint = {
      poll_interval_seconds = 0
    }
  }
  expect_failures = [var.endpoint]
}

run "zero_run_data_expiry" {
  command = plan
  variables {
    storage = {
      run_data_expiration_days = 0
    }
  }
  expect_failures = [var.storage]
}

run "expected_columns_of_one" {
  command = plan
  variables {
    etl = {
      expected_columns = 1
    }
  }
  expect_failures = [var.etl]
}
