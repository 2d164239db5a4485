# The root passes a pipeline's `scoring` to the module as written, and refuses a misspelt scoring field
# instead of dropping it.

mock_provider "aws" {
  source = "../modules/mlops_pipeline/tests/mocks"
}

run "scoring_reaches_the_module" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        scoring = { prefix = "score/", join_input = true }
      }
    }
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].settings.scoring.prefix == "score/" && output.pipelines["churn-xgboost"].settings.scoring.join_input && output.pipelines["churn-xgboost"].settings.scoring.max_payload_mb == 6
    error_message = "the scoring input did not reach the module (with its defaults)"
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].scoring_s3_uri == "s3://churn-xgboost-123456789012-us-east-1/score/" && output.pipelines["churn-xgboost"].predictions_s3_uri == "s3://churn-xgboost-123456789012-us-east-1/predictions/"
    error_message = "the root's outputs say where to upload files to score and where predictions land"
  }
}

run "no_scoring_by_default" {
  command = plan

  variables {
    pipelines = { "churn-xgboost" = {} }
  }

  assert {
    condition     = output.pipelines["churn-xgboost"].settings.scoring == null && output.pipelines["churn-xgboost"].scoring_s3_uri == null
    error_message = "scoring is off unless a pipeline sets it"
  }
}

run "misspelt_scoring_field_is_refused" {
  command = plan

  variables {
    pipelines = {
      "churn-xgboost" = {
        scoring = { prefix = "score/", join_inputs = true }
      }
    }
  }

  expect_failures = [output.pipelines]
}
