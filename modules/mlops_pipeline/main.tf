data "aws_caller_identity" "current" {}

data "aws_region" "current" {}

data "aws_partition" "current" {}

# Resolves the algorithm image for the region being deployed to, from the provider's built-in table of
# SageMaker's per-region registry accounts: a hard-coded URI from another region cannot slip in.
data "aws_sagemaker_prebuilt_ecr_image" "training" {
  count = var.training_image_uri == null ? 1 : 0

  repository_name = var.training_image_repository
  image_tag       = var.training_image_tag
}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition

  bucket_name = coalesce(var.bucket_name, "${var.name}-${local.account_id}-${local.region}")
  bucket_arn  = "arn:${local.partition}:s3:::${local.bucket_name}"

  # Prefixes inside the bucket: uploads that start runs, per-run outputs (expired by lifecycle), and the
  # Glue script. The run prefix is fixed by the run input contract (statemachine/README.md).
  runs_prefix     = "runs/"
  scripts_prefix  = "scripts/"
  glue_script_key = "${local.scripts_prefix}${basename(var.glue_script_path)}"

  glue_job_name          = "${var.name}-etl"
  trigger_function_name  = "${var.name}-trigger"
  state_machine_name     = "${var.name}-pipeline"
  failure_queue_name     = "${var.name}-trigger-failures"
  endpoint_name          = coalesce(var.endpoint_name, "${var.name}-endpoint")
  glue_log_group_name    = "/aws-glue/jobs/${local.glue_job_name}"
  trigger_log_group_name = "/aws/lambda/${local.trigger_function_name}"
  sfn_log_group_name     = "/aws/vendedlogs/states/${local.state_machine_name}"

  role_names = {
    trigger       = "${var.name}-trigger"
    glue          = "${var.name}-glue"
    sagemaker     = "${var.name}-sagemaker"
    step_function = "${var.name}-states"
  }

  # ARNs built from names rather than read from resources, so the policies and the rendered definition are
  # known at plan time (reviewable in the plan, testable with a mock provider) and no dependency cycle forms.
  arn_prefix_iam      = "arn:${local.partition}:iam::${local.account_id}"
  arn_prefix_regional = "${local.region}:${local.account_id}"
  sagemaker_role_arn  = "${local.arn_prefix_iam}:role/${local.role_names.sagemaker}"
  glue_job_arn        = "arn:${local.partition}:glue:${local.arn_prefix_regional}:job/${local.glue_job_name}"
  state_machine_arn   = "arn:${local.partition}:states:${local.arn_prefix_regional}:stateMachine:${local.state_machine_name}"
  # SageMaker lowercases resource names in its ARNs.
  sagemaker_arn_prefix = "arn:${local.partition}:sagemaker:${local.arn_prefix_regional}"
  sagemaker_arns = {
    training_job    = "${local.sagemaker_arn_prefix}:training-job/${var.name}-*"
    model           = "${local.sagemaker_arn_prefix}:model/${var.name}-*"
    endpoint_config = "${local.sagemaker_arn_prefix}:endpoint-config/${var.name}-*"
    endpoint        = "${local.sagemaker_arn_prefix}:endpoint/${lower(local.endpoint_name)}"
  }

  training_image = var.training_image_uri != null ? var.training_image_uri : data.aws_sagemaker_prebuilt_ecr_image.training[0].registry_path

  # <account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>(:tag|@digest): the ECR repository the
  # SageMaker role may pull from.
  image_parts          = regex("^([0-9]{12})\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com(?:\\.cn)?/([^:@]+)", local.training_image)
  image_repository_arn = "arn:${local.partition}:ecr:${local.image_parts[1]}:${local.image_parts[0]}:repository/${local.image_parts[2]}"

  state_machine_template_path = coalesce(var.state_machine_template_path, "${path.module}/../../statemachine/pipeline.asl.json.tftpl")

  # Exactly the template variables documented in statemachine/README.md; statemachine/render.py passes
  # the same names.
  state_machine_definition = templatefile(local.state_machine_template_path, {
    glue_job_name                  = local.glue_job_name
    training_image                 = local.training_image
    sagemaker_role_arn             = local.sagemaker_role_arn
    hyperparameters                = var.hyperparameters
    training_content_type          = var.training_content_type
    training_instance_type         = var.training_instance_type
    training_instance_count        = var.training_instance_count
    training_volume_size_gb        = var.training_volume_size_gb
    training_max_runtime_seconds   = var.training_max_runtime_seconds
    quality_gate_enabled           = var.quality_gate_enabled
    quality_gate_metric_name       = var.quality_gate_metric_name
    quality_gate_comparison        = var.quality_gate_comparison
    quality_gate_threshold         = var.quality_gate_threshold
    endpoint_name                  = local.endpoint_name
    endpoint_instance_type         = var.endpoint_instance_type
    endpoint_instance_count        = var.endpoint_instance_count
    endpoint_poll_interval_seconds = var.endpoint_poll_interval_seconds
    endpoint_max_polls             = var.endpoint_max_polls
  })

  tags = merge(var.tags, { "mlops-pipeline" = var.name })
}
