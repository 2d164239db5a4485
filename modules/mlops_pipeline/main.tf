data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

# Resolves the algorithm image for the region being deployed to, from the provider's built-in table of
# SageMaker's per-region registry accounts: a hard-coded URI from another region cannot slip in.
data "aws_sagemaker_prebuilt_ecr_image" "training" {
  count = var.training.image_uri == null ? 1 : 0

  repository_name = var.training.image_repository
  image_tag       = var.training.image_tag
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  bucket_name = coalesce(var.storage.bucket_name, "${var.name}-${local.account_id}-${local.region}")
  bucket_arn  = "arn:${local.partition}:s3:::${local.bucket_name}"

  # The files the module deploys, from this repository (also when the module is used from a git source:
  # Terraform downloads the whole repository). The Lambda package is committed, built by `make build`.
  glue_script_path            = coalesce(var.etl.script_path, "${path.module}/../../glue/etl_job.py")
  trigger_package_path        = "${path.module}/../../lambdas/trigger.zip"
  state_machine_template_path = "${path.module}/../../statemachine/pipeline.asl.json.tftpl"
  scoring_template_path       = "${path.module}/../../statemachine/scoring.asl.json.tftpl"

  # The bucket's layout. Uploads under the input prefix start runs; everything a run writes lies under
  # `<runs_prefix><run id>/` (expired by lifecycle), at the paths of `run_outputs`. This is the only place
  # the layout is written: the trigger turns `run_outputs` into the run input's URIs (statemachine/README.md),
  # the state machine passes those URIs to each step, and the IAM grants are built from these prefixes.
  runs_prefix       = "runs/"
  scripts_prefix    = "scripts/"
  glue_script_key   = "${local.scripts_prefix}${basename(local.glue_script_path)}"
  etl_output_prefix = "etl/"
  model_prefix      = "model/"
  run_outputs = {
    train      = "${local.etl_output_prefix}train/"
    validation = "${local.etl_output_prefix}validation/"
    rejected   = "${local.etl_output_prefix}rejected/"
    manifest   = "${local.etl_output_prefix}manifest.json"
    evaluation = "evaluation.json"
    model      = local.model_prefix
  }
  # Batch scoring (scoring.tf): an upload under `scoring.prefix` writes its predictions and their manifest
  # under `<predictions_prefix><run id>/` (kept: not expired with runs/), and the transform job's input
  # manifest under the run's prefix, at `scoring_outputs.transform_input`.
  predictions_prefix = "predictions/"
  scoring_outputs = {
    transform_input = "scoring/transform-input.manifest"
    manifest        = "manifest.json"
  }
  # The prefixes the pipeline writes or reads itself: no upload prefix may overlap them.
  reserved_prefixes = [local.runs_prefix, local.scripts_prefix, local.predictions_prefix]

  glue_job_name          = "${var.name}-etl"
  trigger_function_name  = "${var.name}-trigger"
  state_machine_name     = "${var.name}-pipeline"
  failure_queue_name     = "${var.name}-trigger-failures"
  deployments_table_name = "${var.name}-deployments"
  # The registry's group is the pipeline's name; its versions' ARNs are model-package/<name>/<version>.
  model_package_group_name = var.name
  # Each pipeline's own event source, so its role may put only its own events (events:source condition) and
  # its notification rules match only its own runs.
  events_source          = "mlops-pipeline.${var.name}"
  endpoint_name          = coalesce(var.endpoint.name, "${var.name}-endpoint")
  trigger_log_group_name = "/aws/lambda/${local.trigger_function_name}"
  # Glue 5.0 writes a job's logs to <prefix>/output (stdout, stderr) and <prefix>/error (driver, executors,
  # Glue logger) when the job sets --custom-logGroup-prefix; Glue 4.0's continuous logging writes to one
  # group, and each run's console output to the account's shared default groups.
  glue_log_group_prefix       = "/aws-glue/jobs/${local.glue_job_name}"
  glue_log_group_names        = var.etl.glue_version == "4.0" ? [local.glue_log_group_prefix] : ["${local.glue_log_group_prefix}/output", "${local.glue_log_group_prefix}/error"]
  glue_shared_log_group_names = var.etl.glue_version == "4.0" ? ["/aws-glue/jobs/output", "/aws-glue/jobs/error"] : []
  sfn_log_group_name          = "/aws/vendedlogs/states/${local.state_machine_name}"

  role_names = {
    trigger       = "${var.name}-trigger"
    glue          = "${var.name}-glue"
    sagemaker     = "${var.name}-sagemaker"
    step_function = "${var.name}-states"
  }

  # ARNs built from names rather than read from resources, so the policies and the rendered definition are
  # known at plan time (reviewable in the plan, testable with a mock provider) and no dependency cycle forms.
  arn_prefix_iam        = "arn:${local.partition}:iam::${local.account_id}"
  arn_prefix_regional   = "${local.region}:${local.account_id}"
  sagemaker_role_arn    = "${local.arn_prefix_iam}:role${var.security.iam_path}${local.role_names.sagemaker}"
  glue_job_arn          = "arn:${local.partition}:glue:${local.arn_prefix_regional}:job/${local.glue_job_name}"
  state_machine_arn     = "arn:${local.partition}:states:${local.arn_prefix_regional}:stateMachine:${local.state_machine_name}"
  deployments_table_arn = "arn:${local.partition}:dynamodb:${local.arn_prefix_regional}:table/${local.deployments_table_name}"
  # SageMaker lowercases resource names in its ARNs. The trigger names a run's training job, model and endpoint
  # config `<name>--<run id>`; `name` never contains "--" nor ends with "-" (variables.tf), so `<name>--*`
  # matches this pipeline's names only (`churn--*` does not match `churn-xgboost--...`).
  sagemaker_name_separator = "--"
  sagemaker_arn_prefix     = "arn:${local.partition}:sagemaker:${local.arn_prefix_regional}"
  sagemaker_arns = {
    training_job    = "${local.sagemaker_arn_prefix}:training-job/${var.name}${local.sagemaker_name_separator}*"
    model           = "${local.sagemaker_arn_prefix}:model/${var.name}${local.sagemaker_name_separator}*"
    endpoint_config = "${local.sagemaker_arn_prefix}:endpoint-config/${var.name}${local.sagemaker_name_separator}*"
    endpoint        = "${local.sagemaker_arn_prefix}:endpoint/${lower(local.endpoint_name)}"
    model_package   = "${local.sagemaker_arn_prefix}:model-package/${local.model_package_group_name}/*"
  }

  training_image = var.training.image_uri != null ? var.training.image_uri : data.aws_sagemaker_prebuilt_ecr_image.training[0].registry_path

  # <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:tag|@digest): the ECR repository the
  # SageMaker role may pull from.
  image_parts          = regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", local.training_image)
  image_repository_arn = "arn:${local.partition}:ecr:${local.image_parts[1]}:${local.image_parts[0]}:repository/${local.image_parts[2]}"

  # The template's variables: the names this module derives, and the input objects as they are, so a new
  # field of `training`, `quality_gate` or `endpoint` reaches the template without touching this list.
  # statemachine/render.py renders the same template from the same values without Terraform.
  # sagemaker_kms_key_arn is derived (security.sagemaker_kms_key_arn, else security.kms_key_arn; security.tf).
  # deployments_table_name: the table holding each endpoint's claim (deployments.tf); derived from `name`, so
  # safe inside the template's JSON strings.
  state_machine_template_variables = {
    glue_job_name          = local.glue_job_name
    deployments_table_name = local.deployments_table_name
    # The registry (registry.tf): the group every run registers its model in.
    model_package_group_name = local.model_package_group_name
    sagemaker_role_arn       = local.sagemaker_role_arn
    sagemaker_kms_key_arn    = local.kms_key_arns.sagemaker
    training_image           = local.training_image
    training                 = var.training
    quality_gate             = var.quality_gate
    endpoint                 = merge(var.endpoint, { name = local.endpoint_name, variant_name = local.endpoint_variant_name })
    # The guarded update (deployment_guardrails.tf): DeploymentConfig as UpdateEndpoint takes it, the alarms
    # the run names when SageMaker rolls back, and the poll budget the deployment's own timeouts give.
    endpoint_deployment = {
      strategy             = local.endpoint_deployment_strategy
      config               = local.endpoint_deployment_config
      rollback_alarm_names = local.endpoint_rollback_alarm_names
      watches_alarms       = length(local.endpoint_rollback_alarm_names) > 0
      update_max_polls     = local.endpoint_update_max_polls
    }
    pipeline_name = var.name
    # The source of the events the runs put on the default bus (notifications.tf).
    events_source = local.events_source
    # Approval mode (approval.tf): the status a model that passed the gate is registered with, and whether the
    # run stops there (manual) or deploys it (auto).
    approval = {
      manual             = var.approval_mode == "manual"
      status_when_passed = var.approval_mode == "manual" ? "PendingManualApproval" : "Approved"
    }
    # Hyperparameter tuning (tuning.tf): null, or the tuning job's settings in SageMaker's shapes.
    tuning = local.tuning_template_value
  }
  state_machine_definition = templatefile(local.state_machine_template_path, local.state_machine_template_variables)

  tags = merge(var.tags, { "mlops-pipeline" = var.name })
}
