provider "aws" {
  region = var.region
}

# Every input object of the module, each field set to show what it takes. Fields left out keep their
# defaults (modules/mlops_pipeline/README.md).
module "pipeline" {
  source = "../../modules/mlops_pipeline"

  name = "churn-linear"
  tags = { team = "ml-platform", cost-center = "1234" }

  storage = {
    bucket_name              = "churn-linear-example-bucket"
    force_destroy            = false
    input_prefix             = "uploads/churn/"
    run_data_expiration_days = 30
  }

  etl = {
    glue_version          = "5.0"
    worker_type           = "G.1X"
    number_of_workers     = 2
    timeout_minutes       = 20
    max_concurrent_runs   = 5
    train_fraction        = 0.8
    label_column          = 0
    input_has_header      = true
    min_valid_rows        = 500
    max_rejected_fraction = 0.01
    expected_columns      = 70
  }

  training = {
    image_repository = "linear-learner"
    image_tag        = "1"
    hyperparameters = {
      predictor_type  = "binary_classifier"
      feature_dim     = "69"
      epochs          = "15"
      mini_batch_size = "100"
    }
    content_type        = "text/csv"
    instance_type       = "ml.m5.xlarge"
    instance_count      = 1
    volume_size_gb      = 20
    max_runtime_seconds = 7200
  }

  quality_gate = {
    enabled     = true
    metric_name = "validation:binary_classification_accuracy"
    comparison  = "GreaterThanEquals"
    threshold   = 0.9
  }

  endpoint = {
    name                  = "churn-linear-live"
    instance_type         = "ml.m5.large"
    instance_count        = 2
    poll_interval_seconds = 60
    max_polls             = 60
  }

  trigger = {
    maximum_retry_attempts          = 2
    maximum_event_age_seconds       = 7200
    failure_queue_retention_seconds = 604800
  }

  observability = {
    log_retention_days      = 90
    state_machine_log_level = "ALL"
  }
}
