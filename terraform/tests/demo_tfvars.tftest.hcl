# environments/demo.tfvars as shipped. This file needs it on the command line (`make` passes it):
#   terraform -chdir=terraform test -var-file=../environments/demo.tfvars

mock_provider "aws" {
  source = "../modules/mlops_pipeline/tests/mocks"
}

run "demo_churn_pipeline" {
  command = plan

  assert {
    condition     = keys(output.pipelines) == ["churn-xgboost"]
    error_message = "demo.tfvars must define exactly the churn-xgboost pipeline"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.pipelines["churn-xgboost"].state_machine_definition).States) :
      try(state.Parameters.HyperParameters, null) == {
        max_depth = "5", eta = "0.2", gamma = "4", min_child_weight = "6", subsample = "0.8",
        objective = "binary:logistic", eval_metric = "error", num_round = "100"
      }
    ])
    error_message = "the demo must train with the original sample's XGBoost hyperparameters"
  }

  assert {
    condition = anytrue([
      for state in values(jsondecode(output.pipelines["churn-xgboost"].state_machine_definition).States) : anytrue([
        for choice in try(state.Choices, []) : try(choice.NumericLessThan, null) == 0.1
      ])
    ])
    error_message = "the demo gate must be validation:error LessThan 0.1"
  }

  assert {
    condition     = strcontains(output.pipelines["churn-xgboost"].state_machine_definition, "validation:error")
    error_message = "the demo gate must select validation:error"
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].training_image == "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5"
    error_message = "the demo must resolve sagemaker-xgboost 3.0-5 for its region"
  }
}
