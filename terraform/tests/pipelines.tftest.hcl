# The root configuration: a map of pipelines becomes one module instance each, every input object reaches
# the module as written, and a setting the module does not know is refused instead of silently ignored.

mock_provider "aws" {
  source = "../modules/mlops_pipeline/tests/mocks"
}

run "second_algorithm_is_one_more_map_entry" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        training = { hyperparameters = { max_depth = "5", num_round = "100" } }
      }
      "churn-linear" = {
        storage = { input_prefix = "linear/" }
        training = {
          image_uri       = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
          hyperparameters = { predictor_type = "binary_classifier", feature_dim = 69 }
        }
        quality_gate = {
          metric_name = "validation:binary_classification_accuracy"
          comparison  = "GreaterThanEquals"
          threshold   = 0.9
        }
      }
    }
  }

  assert {
    condition     = keys(output.pipelines) == ["churn-linear", "churn-xgboost"]
    error_message = "one module instance per map entry expected"
  }

  assert {
    condition     = output.pipelines["churn-linear"].bucket_name == "churn-linear-123456789012-us-east-1" && output.pipelines["churn-xgboost"].bucket_name == "churn-xgboost-123456789012-us-east-1"
    error_message = "each pipeline must get its own bucket named after its key"
  }

  assert {
    condition     = output.pipelines["churn-linear"].input_s3_uri == "s3://churn-linear-123456789012-us-east-1/linear/"
    error_message = "per-pipeline settings must reach the module"
  }

  assert {
    condition     = strcontains(output.pipelines["churn-linear"].state_machine_definition, "linear-learner:1") && strcontains(output.pipelines["churn-xgboost"].state_machine_definition, "sagemaker-xgboost:3.0-5")
    error_message = "each pipeline must train with its own image"
  }

  assert {
    condition     = output.pipelines["churn-linear"].settings.training.hyperparameters == tomap({ predictor_type = "binary_classifier", feature_dim = "69" })
    error_message = "hyperparameters must reach the module as strings (a number in tfvars is converted)"
  }

  assert {
    condition     = strcontains(output.pipelines["churn-linear"].state_machine_definition, "NumericGreaterThanEquals") && strcontains(output.pipelines["churn-xgboost"].state_machine_definition, "NumericLessThan")
    error_message = "each pipeline must have its own gate; unset fields take the module default (LessThan)"
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].endpoint_name == "churn-xgboost-endpoint" && output.pipelines["churn-linear"].endpoint_name == "churn-linear-endpoint"
    error_message = "endpoint names must default per pipeline"
  }
}

run "every_input_object_reaches_the_module" {
  command = plan

  variables {
    tags = { team = "ml" }
    pipelines = {
      "churn-xgboost" = {
        tags                = { pipeline = "churn" }
        storage             = { run_data_expiration_days = 14 }
        etl                 = { train_fraction = 0.7 }
        training            = { instance_type = "ml.c5.xlarge" }
        quality_gate        = { threshold = 0.2 }
        endpoint            = { poll_interval_seconds = 45, instance_count = 2 }
        endpoint_deployment = { strategy = "canary", alarms = { model_latency = { threshold = 250000 } } }
        trigger             = { maximum_retry_attempts = 1 }
        observability       = { log_retention_days = 7 }
        security            = { iam_path = "/mlops/" }
      }
    }
  }

  assert {
    condition = (
      output.pipelines["churn-xgboost"].settings.storage.run_data_expiration_days == 14 &&
      output.pipelines["churn-xgboost"].settings.etl.train_fraction == 0.7 &&
      output.pipelines["churn-xgboost"].settings.training.instance_type == "ml.c5.xlarge" &&
      output.pipelines["churn-xgboost"].settings.quality_gate.threshold == 0.2 &&
      output.pipelines["churn-xgboost"].settings.endpoint.poll_interval_seconds == 45 &&
      output.pipelines["churn-xgboost"].settings.endpoint_deployment.strategy == "canary" &&
      output.pipelines["churn-xgboost"].settings.endpoint_deployment.alarms.model_latency.threshold == 250000 &&
      output.pipelines["churn-xgboost"].settings.trigger.maximum_retry_attempts == 1 &&
      output.pipelines["churn-xgboost"].settings.observability.log_retention_days == 7 &&
      output.pipelines["churn-xgboost"].settings.security.iam_path == "/mlops/"
    )
    error_message = "a field of each input object did not reach the module"
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].settings.training.image_tag == "3.0-5"
    error_message = "fields an entry leaves out must take the module's defaults"
  }

  assert {
    condition     = module.pipeline["churn-xgboost"].settings.endpoint.max_polls == 120
    error_message = "an object set partly keeps the module's defaults for its other fields"
  }
}

run "misspelt_field_is_refused" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        training = { instance_typo = "ml.c5.xlarge" }
      }
    }
  }

  expect_failures = [output.pipelines]
}

# Nested objects are checked too: a misspelt alarm, or a misspelt field of one, would otherwise leave the
# alarm at its defaults without a word.
run "misspelt_nested_field_is_refused" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        endpoint_deployment = { alarms = { model_latency = { threshhold = 250000 } } }
      }
    }
  }

  expect_failures = [output.pipelines]
}

run "misspelt_nested_object_is_refused" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        endpoint_deployment = { alarms = { model_latncy = { threshold = 250000 } } }
      }
    }
  }

  expect_failures = [output.pipelines]
}

# Map fields keep whatever keys they are given: never reported as unknown.
run "map_fields_and_lists_are_not_checked_for_keys" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        training            = { hyperparameters = { any_name = "1" }, vpc = { subnet_ids = ["subnet-0123456789abcdef0"], security_group_ids = ["sg-0123456789abcdef0"] } }
        endpoint_deployment = { additional_alarm_names = ["churn-kpi"], alarms = { invocation_4xx_errors = { enabled = false } } }
      }
    }
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].settings.training.hyperparameters == tomap({ any_name = "1" }) && output.pipelines["churn-xgboost"].settings.endpoint_deployment.additional_alarm_names == tolist(["churn-kpi"])
    error_message = "map keys and list values must reach the module without being reported as unknown"
  }
}

run "unknown_input_object_is_refused" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        gate = { threshold = 0.2 }
      }
    }
  }

  expect_failures = [output.pipelines]
}

run "empty_pipeline_map_is_rejected" {
  command = plan

  variables {
    pipelines = {}
  }

  expect_failures = [var.pipelines]
}
