# Hyperparameter tuning before the gate (the `tuning` input, tuning.tf): what it validates, what the definition
# and the trigger get, and the Step Functions grants it adds; without it nothing changes.

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  name = "churn-xgboost"
  training = {
    hyperparameters = { objective = "binary:logistic", eval_metric = "error", num_round = "50", subsample = "0.8" }
  }
  tuning = {
    max_jobs          = 6
    max_parallel_jobs = 2
    ranges = {
      continuous  = { eta = { min = 0.05, max = 0.5, scaling = "Logarithmic" }, colsample_bytree = { min = 0.5, max = 0.99, scaling = "ReverseLogarithmic" } }
      integer     = { max_depth = { min = 2, max = 8 } }
      categorical = { gamma = ["0", "4"] }
    }
  }
}

run "tuning_job_in_the_definition" {
  command = plan

  assert {
    condition     = jsondecode(output.state_machine_definition).States.RunEtl.Next == "Tune" && !contains(keys(jsondecode(output.state_machine_definition).States), "Train")
    error_message = "with tuning the run tunes instead of training one job"
  }

  assert {
    condition = jsondecode(output.state_machine_definition).States.Tune.Parameters.HyperParameterTuningJobConfig == {
      Strategy                         = "Bayesian"
      HyperParameterTuningJobObjective = { Type = "Minimize", MetricName = "validation:error" }
      ResourceLimits                   = { MaxNumberOfTrainingJobs = 6, MaxParallelTrainingJobs = 2 }
      ParameterRanges = {
        ContinuousParameterRanges = [
          { Name = "colsample_bytree", MinValue = "0.5", MaxValue = "0.99", ScalingType = "ReverseLogarithmic" },
          { Name = "eta", MinValue = "0.05", MaxValue = "0.5", ScalingType = "Logarithmic" },
        ]
        IntegerParameterRanges     = [{ Name = "max_depth", MinValue = "2", MaxValue = "8", ScalingType = "Auto" }]
        CategoricalParameterRanges = [{ Name = "gamma", Values = ["0", "4"] }]
      }
      TrainingJobEarlyStoppingType = "Off"
    }
    error_message = "the tuning job config: Bayesian by default, the gate metric minimised (LessThan), the ranges as SageMaker takes them"
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.Tune.Parameters.TrainingJobDefinition.StaticHyperParameters == { objective = "binary:logistic", eval_metric = "error", num_round = "50", subsample = "0.8" }
    error_message = "training.hyperparameters are the candidates' static hyperparameters"
  }

  assert {
    condition     = aws_lambda_function.trigger.environment[0].variables.TUNING == "true"
    error_message = "the trigger derives a tuning job name for each run"
  }
}

run "maximised_for_a_greater_than_gate" {
  command = plan

  variables {
    quality_gate = { metric_name = "validation:auc", comparison = "GreaterThanEquals", threshold = 0.8 }
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.Tune.Parameters.HyperParameterTuningJobConfig.HyperParameterTuningJobObjective == { Type = "Maximize", MetricName = "validation:auc" }
    error_message = "a GreaterThan/GreaterThanEquals gate maximises its metric"
  }
}

run "grid_runs_every_combination" {
  command = plan

  variables {
    tuning = { strategy = "Grid", max_parallel_jobs = 2, ranges = { categorical = { max_depth = ["3", "5", "7"] } } }
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.Tune.Parameters.HyperParameterTuningJobConfig.ResourceLimits == { MaxParallelTrainingJobs = 2 }
    error_message = "Grid leaves MaxNumberOfTrainingJobs out (SageMaker runs every combination)"
  }
}

run "tuning_grants" {
  command = plan

  assert {
    condition = one([for s in data.aws_iam_policy_document.tuning[0].statement : s if s.sid == "RunTuningJobs"]).actions == toset([
      "sagemaker:CreateHyperParameterTuningJob", "sagemaker:DescribeHyperParameterTuningJob",
      "sagemaker:StopHyperParameterTuningJob", "sagemaker:ListTags",
    ])
    error_message = "createHyperParameterTuningJob.sync needs create, describe, stop and list tags"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.tuning[0].statement : s.resources if s.sid == "RunTuningJobs"]) == toset(["arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/churn-xgboost--*"])
    error_message = "the tuning grants cover this pipeline's tuning jobs only"
  }

  assert {
    condition     = one([for s in data.aws_iam_policy_document.tuning[0].statement : s.resources if s.sid == "ManagedSageMakerTuningRule"]) == toset(["arn:aws:events:us-east-1:123456789012:rule/StepFunctionsGetEventsForSageMakerTuningJobsRule"])
    error_message = "the .sync integration's managed rule for tuning jobs"
  }

  assert {
    condition     = contains(data.aws_iam_policy_document.step_function.source_policy_documents, data.aws_iam_policy_document.tuning[0].json)
    error_message = "the Step Functions role's policy includes the tuning statements"
  }

  # The candidates (`<tuning job>-<NNN>-<8 hex>`) are training jobs under the existing grant.
  assert {
    condition     = contains(one([for s in data.aws_iam_policy_document.step_function.statement : s.resources if s.sid == "RunTrainingJobs"]), "arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-xgboost--*")
    error_message = "DescribeBestTrainingJob reads a candidate with the training job grant"
  }
}

run "nothing_without_tuning" {
  command = plan

  variables {
    tuning = null
  }

  assert {
    condition     = length(data.aws_iam_policy_document.tuning) == 0 && length(data.aws_iam_policy_document.step_function.source_policy_documents) == 2 # logs and traces, KMS key uses
    error_message = "no tuning grants without tuning"
  }

  assert {
    condition     = jsondecode(output.state_machine_definition).States.RunEtl.Next == "Train" && !contains(keys(jsondecode(output.state_machine_definition).States), "Tune")
    error_message = "without tuning the run trains one job"
  }

  assert {
    condition     = !contains(keys(aws_lambda_function.trigger.environment[0].variables), "TUNING")
    error_message = "without tuning the trigger's environment (and so the run input) is unchanged"
  }

  assert {
    condition     = output.settings.tuning == null
    error_message = "settings show tuning as given"
  }
}

# --- validation ---

run "tuning_needs_the_gate" {
  command = plan
  variables {
    quality_gate = { enabled = false }
  }
  expect_failures = [var.tuning]
}

run "unknown_strategy" {
  command = plan
  variables {
    tuning = { strategy = "Evolutionary", max_jobs = 4, ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "max_jobs_required_unless_grid" {
  command = plan
  variables {
    tuning = { ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "max_jobs_whole_and_positive" {
  command = plan
  variables {
    tuning = { max_jobs = 0, ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "parallel_at_most_max_jobs" {
  command = plan
  variables {
    tuning = { max_jobs = 2, max_parallel_jobs = 3, ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "grid_takes_categorical_ranges_only" {
  command = plan
  variables {
    tuning = { strategy = "Grid", ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "grid_takes_no_max_jobs" {
  command = plan
  variables {
    tuning = { strategy = "Grid", max_jobs = 3, ranges = { categorical = { max_depth = ["3", "5", "7"] } } }
  }
  expect_failures = [var.tuning]
}

run "hyperband_refuses_auto_early_stopping" {
  command = plan
  variables {
    tuning = { strategy = "Hyperband", max_jobs = 4, early_stopping = "Auto", ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "unknown_early_stopping" {
  command = plan
  variables {
    tuning = { max_jobs = 4, early_stopping = "On", ranges = { integer = { max_depth = { min = 2, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "empty_ranges" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = {} }
  }
  expect_failures = [var.tuning]
}

run "tuned_and_fixed" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { continuous = { subsample = { min = 0.5, max = 1 } } } }
  }
  expect_failures = [var.tuning]
}

run "one_kind_of_range_per_name" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { integer = { max_depth = { min = 2, max = 8 } }, categorical = { max_depth = ["3"] } } }
  }
  expect_failures = [var.tuning]
}

run "min_below_max" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { continuous = { eta = { min = 0.5, max = 0.5 } } } }
  }
  expect_failures = [var.tuning]
}

run "integer_bounds_are_whole" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { integer = { max_depth = { min = 2.5, max = 8 } } } }
  }
  expect_failures = [var.tuning]
}

run "logarithmic_needs_positive_min" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { continuous = { alpha = { min = 0, max = 10, scaling = "Logarithmic" } } } }
  }
  expect_failures = [var.tuning]
}

run "reverse_logarithmic_within_zero_and_one" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { continuous = { eta = { min = 0.1, max = 1, scaling = "ReverseLogarithmic" } } } }
  }
  expect_failures = [var.tuning]
}

run "reverse_logarithmic_not_for_integers" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { integer = { max_depth = { min = 0, max = 1, scaling = "ReverseLogarithmic" } } } }
  }
  expect_failures = [var.tuning]
}

run "unknown_scaling" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { continuous = { eta = { min = 0.1, max = 0.5, scaling = "Exponential" } } } }
  }
  expect_failures = [var.tuning]
}

run "categorical_values_distinct_and_non_empty" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { categorical = { booster = ["gbtree", "gbtree"] } } }
  }
  expect_failures = [var.tuning]
}

run "no_empty_category" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { categorical = { booster = [] } } }
  }
  expect_failures = [var.tuning]
}

run "hyperparameter_name_without_control_characters" {
  command = plan
  variables {
    tuning = { max_jobs = 4, ranges = { categorical = { "max\ndepth" = ["3"] } } }
  }
  expect_failures = [var.tuning]
}
