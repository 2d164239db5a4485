# The rendered state machine definition: image resolution, hyperparameters, quality gate, endpoint settings.
# Assertions search the decoded JSON by content, not by state names, so they hold while the template evolves.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
  training = {
    hyperparameters = {
      max_depth   = "5"
      eta         = "0.2"
      objective   = "binary:logistic"
      eval_metric = "error"
      num_round   = "100"
    }
  }
}

run "resolved_image_and_demo_settings" {
  command = plan

  assert {
    condition     = output.training_image == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
    error_message = "with no explicit URI the image must come from aws_sagemaker_prebuilt_ecr_image"
  }

  assert {
    condition     = data.aws_sagemaker_prebuilt_ecr_image.training[0].repository_name == "sagemaker-xgboost" && data.aws_sagemaker_prebuilt_ecr_image.training[0].image_tag == "3.0-5"
    error_message = "the image lookup must default to sagemaker-xgboost 3.0-5"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) :
      try(state.Parameters.AlgorithmSpecification.TrainingImage, "") == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
    ])
    error_message = "the training state must use the resolved image"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) :
      try(state.Parameters.InferenceSpecification.Containers[0].Image, "") == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
    ])
    error_message = "the model must be registered (and so served) with the image it was trained with"
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.RegisterModel.Parameters.ModelPackageGroupName == aws_sagemaker_model_package_group.this.model_package_group_name
    error_message = "every run must register its model in the pipeline's model package group"
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.CreateModel.Parameters.PrimaryContainer == { "ModelPackageName.$" = "$.registry.arn" }
    error_message = "the endpoint's model must be created from the registered package, so the registry records what serves"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) :
      try(state.Parameters.HyperParameters, null) == {
        max_depth = "5", eta = "0.2", objective = "binary:logistic", eval_metric = "error", num_round = "100"
      }
    ])
    error_message = "the hyperparameters must reach CreateTrainingJob unchanged, as strings"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) :
      try(state.Parameters.JobName, "") == "churn-xgboost-etl"
    ])
    error_message = "the ETL state must run the module's Glue job"
  }

  assert {
    condition     = strcontains(output.state_machine_definition, "churn-xgboost-endpoint")
    error_message = "the definition must name the module's endpoint"
  }
}

run "explicit_image_uri_wins" {
  command = plan

  variables {
    training = {
      image_uri = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
    }
  }

  assert {
    condition     = length(data.aws_sagemaker_prebuilt_ecr_image.training) == 0
    error_message = "no image lookup should happen when an explicit URI is given"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) :
      try(state.Parameters.AlgorithmSpecification.TrainingImage, "") == "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
    ])
    error_message = "the training state must use the explicit image URI"
  }

  assert {
    condition     = !strcontains(output.state_machine_definition, "sagemaker-xgboost")
    error_message = "the default image must not appear when an explicit URI is given"
  }
}

run "gate_comparison_and_threshold_rendered" {
  command = plan

  variables {
    quality_gate = {
      metric_name = "validation:binary_classification_accuracy"
      comparison  = "GreaterThanEquals"
      threshold   = 0.85
    }
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) : anytrue([
        for choice in try(state.Choices, []) : try(choice.NumericGreaterThanEquals, null) == 0.85
      ])
    ])
    error_message = "a Choice state must compare the metric with NumericGreaterThanEquals 0.85"
  }

  assert {
    condition     = strcontains(output.state_machine_definition, "validation:binary_classification_accuracy")
    error_message = "the gate must select the configured metric by name"
  }

  assert {
    condition     = strcontains(output.state_machine_definition, "ModelRejected")
    error_message = "a rejected model must end in the ModelRejected failure"
  }
}

run "gate_disabled_leaves_no_gate" {
  command = plan

  variables {
    quality_gate = {
      enabled = false
    }
  }

  assert {
    condition = !anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) : anytrue([
        for choice in try(state.Choices, []) : try(choice.NumericLessThan, null) != null
      ])
    ])
    error_message = "no threshold comparison may remain when the gate is disabled"
  }

  assert {
    condition     = !strcontains(output.state_machine_definition, "validation:error") && !strcontains(output.state_machine_definition, "ModelRejected")
    error_message = "the gate's metric and rejection must be absent when the gate is disabled"
  }
}

run "endpoint_polling_settings_rendered" {
  command = plan

  variables {
    endpoint = {
      poll_interval_seconds = 1
      max_polls             = 7
    }
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) :
      state.Type == "Wait" && try(state.Seconds, null) == 1
    ])
    error_message = "the endpoint wait loop must use endpoint.poll_interval_seconds"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.state_machine_definition).States) : anytrue([
        for choice in try(state.Choices, []) : try(choice.NumericGreaterThanEquals, null) == output.endpoint_update_max_polls
      ])
    ])
    error_message = "the endpoint wait loop must stop after endpoint_update_max_polls polls"
  }

  # The budget follows from the deployment's own timeouts: endpoint.max_polls for provisioning plus the
  # default MaximumExecutionTimeoutInSeconds of an all-at-once update (1800 s) in 1-second polls.
  assert {
    condition     = output.endpoint_update_max_polls == 7 + 1800
    error_message = "endpoint_update_max_polls must be endpoint.max_polls plus the deployment timeout in polls"
  }

  assert {
    condition     = aws_sfn_state_machine.pipeline.definition == output.state_machine_definition
    error_message = "the state machine must be created from the rendered definition output"
  }
}

run "explicit_image_from_another_region_is_refused" {
  command = plan

  variables {
    training = {
      image_uri = "683313688378.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-xgboost:3.0-5"
    }
  }

  expect_failures = [aws_sfn_state_machine.pipeline]
}
