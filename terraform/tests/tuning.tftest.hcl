# The root passes a pipeline's `tuning` to the module as written, and refuses a misspelt tuning field instead
# of dropping it.

mock_provider "aws" {
  source = "../modules/mlops_pipeline/tests/mocks"
}

run "tuning_reaches_the_module" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        training = { hyperparameters = { objective = "binary:logistic", num_round = "50" } }
        tuning = {
          strategy          = "Random"
          max_jobs          = 4
          max_parallel_jobs = 2
          ranges            = { continuous = { eta = { min = 0.05, max = 0.5, scaling = "Logarithmic" } } }
        }
      }
    }
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].settings.tuning.max_jobs == 4 && output.pipelines["churn-xgboost"].settings.tuning.ranges.continuous.eta.scaling == "Logarithmic"
    error_message = "the tuning input did not reach the module"
  }

  assert {
    condition     = jsondecode(output.pipelines["churn-xgboost"].state_machine_definition).States.RunEtl.Next == "Tune"
    error_message = "a tuned pipeline's runs tune before the gate"
  }
}

run "no_tuning_by_default" {
  command = plan

  variables {
    pipelines = { "churn-xgboost" = {} }
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].settings.tuning == null
    error_message = "tuning is off unless a pipeline sets it"
  }
}

run "misspelt_tuning_field_is_refused" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        tuning = { max_jobs = 4, max_parallel_job = 2, ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
      }
    }
  }

  expect_failures = [output.pipelines]
}
