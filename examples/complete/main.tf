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
    # Server access logs to a bucket of your own whose policy lets logging.s3.amazonaws.com write.
    access_log_bucket = "example-org-s3-access-logs"
    access_log_prefix = "churn-linear/"
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
    # Training jobs and the model run in your subnets (with an S3 gateway endpoint: no internet needed).
    vpc = {
      subnet_ids         = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
      security_group_ids = ["sg-0123456789abcdef0"]
    }
    enable_network_isolation                  = true
    enable_inter_container_traffic_encryption = true
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

  # Canary rollout of each new model (SageMaker deployment guardrails): one of the two instances (50 %)
  # takes its share of the traffic for 10 minutes while the rollback alarms watch, then the rest; the old
  # fleet stays 5 minutes more. An alarm in ALARM during either bake rolls the update back and fails the run.
  # Both fleets run for the whole update (about 30 minutes here): the instance cost doubles meanwhile.
  endpoint_deployment = {
    strategy                 = "canary"
    step                     = { type = "INSTANCE_COUNT", value = 1 }
    wait_interval_seconds    = 600
    termination_wait_seconds = 300
    # null: the waits (2 x 600 + 300) + 1800 s to bring the new fleet up = 3300 s.
    maximum_execution_timeout_seconds = null
    alarms = {
      invocation_5xx_errors = { threshold = 0.01 }
      invocation_4xx_errors = { threshold = 0.02, evaluation_periods = 3, datapoints_to_alarm = 2 }
      # Linear Learner answers in a few milliseconds: 100 ms at p99 is already far off.
      model_latency = { statistic = "p99", threshold = 100000 }
    }
    # An alarm of your own (it must exist before a run updates the endpoint), e.g. on a business metric.
    additional_alarm_names = ["churn-linear-prediction-drift"]
  }

  # A person approves each version in the model registry (mlops-pipeline approve, or the console); the
  # approval deploys it. Messages go to the team's existing topic (its policy must let events.amazonaws.com
  # publish, and the topic's key, if any, let EventBridge use it) and to one address. Retraining every
  # Monday at 06:00 Paris time on the newest upload, unless its run exists.
  approval_mode = "manual"
  notifications = {
    topic_arn       = "arn:aws:sns:us-east-1:123456789012:ml-platform-alerts"
    email_addresses = ["ml-platform@example.com"]
  }
  retrain_schedule = {
    expression = "cron(0 6 ? * MON *)"
    timezone   = "Europe/Paris"
  }

  trigger = {
    maximum_retry_attempts          = 2
    maximum_event_age_seconds       = 7200
    failure_queue_retention_seconds = 604800
    reserved_concurrent_executions  = 10
  }

  observability = {
    log_retention_days      = 90
    state_machine_log_level = "ALL"
    lambda_tracing_mode     = "Active"
    state_machine_tracing   = true
  }

  # One customer managed key for the bucket, the failure queue and SageMaker, a separate one for the logs;
  # the key policies must allow the services (modules/mlops_pipeline/README.md, "Customer managed KMS keys").
  security = {
    kms_key_arn              = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    logs_kms_key_arn         = "arn:aws:kms:us-east-1:123456789012:key/5678abcd-56ef-78ab-90cd-5678901234ef"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/mlops-permissions-boundary"
    iam_path                 = "/mlops/"
  }
}
