# Pipelines for the state machine tests: the demo churn pipeline and entries that exercise the template's
# edge cases (gate disabled, other comparisons, values Terraform's jsonencode escapes).
pipelines = {
  churn-xgboost = {
    hyperparameters = {
      max_depth        = "5"
      eta              = "0.2"
      gamma            = "4"
      min_child_weight = "6"
      subsample        = "0.8"
      objective        = "binary:logistic"
      eval_metric      = "error"
      num_round        = "100"
    }
    quality_gate_metric_name = "validation:error"
    quality_gate_comparison  = "LessThan"
    quality_gate_threshold   = 0.1
  }

  no-gate = {
    training_image_uri   = "382416733822.dkr.ecr.us-east-1.amazonaws.com/linear-learner:1"
    hyperparameters      = { predictor_type = "binary_classifier", mini_batch_size = 100 }
    quality_gate_enabled = false
    endpoint_name        = "shared-endpoint"
  }

  escapes = {
    hyperparameters = {
      "objective" = "reg:squarederror"
      "note"      = "a<b && c>d \"quoted\" \\ backslash é ☃"
      "num_round" = 7
      "flag"      = true
    }
    quality_gate_metric_name       = "validation:ndcg@5"
    quality_gate_comparison        = "GreaterThanEquals"
    quality_gate_threshold         = 1
    training_instance_count        = 2
    endpoint_poll_interval_seconds = 1
    endpoint_max_polls             = 5
  }
}
