# ---------------------------------------------------------------------------------------------------------
# Hyperparameter tuning before the gate: the run's training becomes a SageMaker hyperparameter tuning job
# whose objective is the quality gate's metric; the best candidate's model goes on to the gate, the registry
# and the endpoint (statemachine/README.md, "Tuning").
# ---------------------------------------------------------------------------------------------------------

locals {
  tuning_input_names = var.tuning == null ? [] : concat(
    keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical)
  )

  # The tuning job's name is at most 32 characters (SageMaker), so the trigger derives a shorter one than the
  # training job's, `<name>--<hash of the run id>` (lambdas/trigger/naming.py); its candidates are named
  # `<tuning job>-<NNN>-<8 hex>` by SageMaker, so they stay within the training-job grant `<name>--*`.
  sagemaker_tuning_job_arn = "${local.sagemaker_arn_prefix}:hyper-parameter-tuning-job/${var.name}${local.sagemaker_name_separator}*"

  # What the template writes into CreateHyperParameterTuningJob, in SageMaker's shapes (strings for the range
  # bounds and values, as the API takes them). Maps iterate in key order, so the text is stable.
  tuning_template_value = var.tuning == null ? null : {
    strategy          = var.tuning.strategy
    max_jobs          = var.tuning.max_jobs
    max_parallel_jobs = var.tuning.max_parallel_jobs
    early_stopping    = var.tuning.early_stopping
    objective_type    = contains(["GreaterThan", "GreaterThanEquals"], var.quality_gate.comparison) ? "Maximize" : "Minimize"
    parameter_ranges = {
      ContinuousParameterRanges = [
        for name, range in var.tuning.ranges.continuous : {
          Name = name, MinValue = tostring(range.min), MaxValue = tostring(range.max), ScalingType = range.scaling
        }
      ]
      IntegerParameterRanges = [
        for name, range in var.tuning.ranges.integer : {
          Name = name, MinValue = tostring(range.min), MaxValue = tostring(range.max), ScalingType = range.scaling
        }
      ]
      CategoricalParameterRanges = [
        for name, values in var.tuning.ranges.categorical : { Name = name, Values = values }
      ]
    }
    # training.hyperparameters minus the tuned ones; the validation refuses an overlap, so this is all of them.
    static_hyperparameters = { for name, value in var.training.hyperparameters : name => value if !contains(local.tuning_input_names, name) }
  }
}

# createHyperParameterTuningJob.sync, per the Step Functions developer guide's policy for it: create, describe
# and stop (when the execution is stopped) the tuning job, list its tags, and the managed rule through which
# Step Functions learns of its end. The best candidate is described with the training-job grant of iam.tf.
data "aws_iam_policy_document" "tuning" {
  count = var.tuning == null ? 0 : 1

  statement {
    sid = "RunTuningJobs"
    actions = [
      "sagemaker:CreateHyperParameterTuningJob",
      "sagemaker:DescribeHyperParameterTuningJob",
      "sagemaker:StopHyperParameterTuningJob",
      "sagemaker:ListTags",
    ]
    resources = [local.sagemaker_tuning_job_arn]
  }

  statement {
    sid       = "ManagedSageMakerTuningRule"
    actions   = ["events:PutTargets", "events:PutRule", "events:DescribeRule"]
    resources = ["arn:${local.partition}:events:${local.arn_prefix_regional}:rule/StepFunctionsGetEventsForSageMakerTuningJobsRule"]
  }
}
