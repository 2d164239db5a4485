provider "aws" {
  region = var.region
}

# Module defaults for everything but the hyperparameters: XGBoost needs the number of boosting rounds
# (without it the training job fails: "Missing required hyperparameter: num_round"), and the default
# gate, validation:error < 0.1, needs the error metric (binary:logistic reports logloss by default, and
# the run would fail with MetricMissing).
module "pipeline" {
  source = "../../modules/mlops_pipeline"

  name = "churn-minimal"

  training = {
    hyperparameters = { num_round = "100", objective = "binary:logistic", eval_metric = "error" }
  }
}
