# The root configuration: a map of pipelines becomes one module instance each, the global poll-interval
# override applies to all, and the local-cloud switch is a variable.

mock_provider "aws" {
  source = "../modules/mlops_pipeline/tests/mocks"
}

variables {
  trigger_package_path = "../modules/mlops_pipeline/tests/fixtures/trigger.zip"
  glue_script_path     = "../modules/mlops_pipeline/tests/fixtures/etl_job.py"
}

run "second_algorithm_is_one_more_map_entry" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        hyperparameters = { max_depth = "5", num_round = "100" }
      }
      "churn-linear" = {
        training_image_uri       = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
        hyperparameters          = { predictor_type = "binary_classifier", feature_dim = "69" }
        quality_gate_metric_name = "validation:binary_classification_accuracy"
        quality_gate_comparison  = "GreaterThanEquals"
        quality_gate_threshold   = 0.9
        input_prefix             = "linear/"
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
    condition     = strcontains(output.pipelines["churn-linear"].state_machine_definition, "NumericGreaterThanEquals") && strcontains(output.pipelines["churn-xgboost"].state_machine_definition, "NumericLessThan")
    error_message = "each pipeline must have its own gate; unset fields take the module default (LessThan)"
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].endpoint_name == "churn-xgboost-endpoint" && output.pipelines["churn-linear"].endpoint_name == "churn-linear-endpoint"
    error_message = "endpoint names must default per pipeline"
  }
}

run "poll_interval_override_applies_to_every_pipeline" {
  command = plan

  variables {
    endpoint_poll_interval_seconds = 1
    pipelines = {
      "churn-xgboost" = { endpoint_poll_interval_seconds = 45 }
      "churn-other"   = {}
    }
  }

  assert {
    condition = alltrue([
      for pipeline in values(output.pipelines) : anytrue([
        for state in values(jsondecode(pipeline.state_machine_definition).States) : state.Type == "Wait" && try(state.Seconds, null) == 1
      ])
    ])
    error_message = "the global endpoint_poll_interval_seconds must override every pipeline's interval"
  }
}

run "pipeline_interval_kept_without_override" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = { endpoint_poll_interval_seconds = 45 }
    }
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.pipelines["churn-xgboost"].state_machine_definition).States) : state.Type == "Wait" && try(state.Seconds, null) == 45
    ])
    error_message = "without the global override a pipeline keeps its own poll interval"
  }
}

run "invalid_pipeline_name_is_rejected" {
  command = plan

  variables {
    pipelines = {
      "Churn_XGBoost" = {}
    }
  }

  expect_failures = [var.pipelines]
}

run "endpoint_url_must_be_a_url" {
  command = plan

  variables {
    aws_endpoint_url = "127.0.0.1:4566"
    pipelines        = { "churn-xgboost" = {} }
  }

  expect_failures = [var.aws_endpoint_url]
}

run "empty_pipeline_map_is_rejected" {
  command = plan

  variables {
    pipelines = {}
  }

  expect_failures = [var.pipelines]
}
