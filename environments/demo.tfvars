# The customer-churn demo: XGBoost with the hyperparameters of the original AWS CDK sample, deployed only
# when the validation error is below 10%.
#
#   terraform -chdir=terraform init
#   terraform -chdir=terraform apply -var-file=../environments/demo.tfvars
#
# Each entry of `pipelines` is one pipeline; its key is the pipeline name (3-24 lowercase letters, digits,
# hyphens). An entry sets the module's input objects it needs (storage, etl, training, quality_gate,
# endpoint, trigger, observability); unset fields take the module defaults (modules/mlops_pipeline/README.md).

region = "us-east-1"

pipelines = {
  "churn-xgboost" = {
    training = {
      # Resolved for the region by aws_sagemaker_prebuilt_ecr_image (these are also the module defaults).
      image_repository = "sagemaker-xgboost"
      image_tag        = "3.0-5"

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
    }

    quality_gate = {
      metric_name = "validation:error"
      comparison  = "LessThan"
      threshold   = 0.1
    }

    # A canary needs a fleet to take a part of: four instances, one of which (25 % of the traffic) serves
    # the new model for a 5-minute bake, then all four for another. Any of the module's alarms (5XX and
    # 4XX error rates, p99 model latency) in ALARM rolls the update back. An update runs both fleets for
    # its duration: eight ml.m5.large for about 15 minutes.
    endpoint = {
      instance_type  = "ml.m5.large"
      instance_count = 4
    }
    endpoint_deployment = {
      strategy = "canary"
      step     = { type = "INSTANCE_COUNT", value = 1 }
    }

    # Serverless inference instead of instances: nothing billed at rest, cold starts after idle time, at
    # most max_concurrency requests at once; updated all at once (replace endpoint and endpoint_deployment
    # above with these).
    # endpoint            = { serverless = { memory_size_mb = 2048, max_concurrency = 5 } }
    # endpoint_deployment = { strategy = "all_at_once" }

    # A person approves each model that passes the gate (mlops-pipeline approve); approving deploys it.
    # approval_mode = "manual"

    # Messages when a run fails or a model is deployed, rolled back or awaits approval (each address
    # confirms by mail first).
    # notifications = { email_addresses = ["ml-team@example.com"] }

    # Retrain every Monday 06:00 UTC on the newest upload, unless its run exists.
    # retrain_schedule = { expression = "cron(0 6 ? * MON *)" }

    # Score files uploaded under score/ (feature rows, no label, no header) with the model the endpoint
    # serves (else the newest Approved version): predictions/<run id>/<file>.out, one line per row, and
    # predictions/<run id>/manifest.json. Each file runs one batch transform job (billed per instance-second).
    # scoring = {
    #   prefix                      = "score/"
    #   instance_type               = "ml.m5.large"
    #   instance_count              = 1
    #   max_payload_mb              = 6     # MaxPayloadInMB per mini-batch (1-100)
    #   max_concurrent_transforms   = null  # per instance; times max_payload_mb at most 100
    #   join_input                  = false # true: each output line is the input row plus its prediction
    #   invocations_timeout_seconds = null  # per mini-batch, 1-3600 (SageMaker's default 600)
    #   invocations_max_retries     = null  # 0-3 (SageMaker's default 3)
    #   max_runtime_seconds         = 3600  # the run fails States.Timeout past it
    # }

    # Tune eta and max_depth before the gate: each run starts 6 training jobs (2 at once, each billed as a
    # training job), minimising the gate metric; the best one is judged, registered and deployed. A tuned
    # hyperparameter must leave training.hyperparameters above (remove eta and max_depth there).
    # Strategies: Bayesian, Random, Hyperband, Grid (categorical ranges only, no max_jobs).
    # tuning = {
    #   strategy          = "Bayesian"
    #   max_jobs          = 6
    #   max_parallel_jobs = 2
    #   early_stopping    = "Off" # or "Auto" (not with Hyperband)
    #   ranges = {
    #     continuous  = { eta = { min = 0.05, max = 0.5, scaling = "Logarithmic" } } # Auto, Linear, Logarithmic, ReverseLogarithmic
    #     integer     = { max_depth = { min = 2, max = 8 } }
    #     categorical = {} # e.g. { grow_policy = ["depthwise", "lossguide"] }
    #   }
    # }
  }

  # A second algorithm is a second entry: no code change. Linear Learner on the same churn CSV (label in
  # the first column, 69 features), deployed when validation accuracy is at least 90%. Uncomment to add it.
  #
  # "churn-linear" = {
  #   training = {
  #     image_repository = "linear-learner"
  #     image_tag        = "1"
  #     hyperparameters = {
  #       predictor_type  = "binary_classifier"
  #       feature_dim     = "69"
  #       epochs          = "15"
  #       mini_batch_size = "100"
  #     }
  #   }
  #
  #   quality_gate = {
  #     metric_name = "validation:binary_classification_accuracy"
  #     comparison  = "GreaterThanEquals"
  #     threshold   = 0.9
  #   }
  # }
}
