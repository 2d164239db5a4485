# What both state machines (this one and the scoring one, scoring.tf) log and whether they are traced: the
# `observability` input applies to each the same way.
locals {
  state_machine_logging = {
    include_execution_data = var.observability.state_machine_include_execution_data
    level                  = var.observability.state_machine_log_level
  }
  state_machine_tracing_enabled = var.observability.state_machine_tracing
}

resource "aws_cloudwatch_log_group" "state_machine" {
  name              = local.sfn_log_group_name
  retention_in_days = var.observability.log_retention_days
  kms_key_id        = local.kms_key_arns.logs
  tags              = local.tags
}

resource "aws_sfn_state_machine" "pipeline" {
  #checkov:skip=CKV_AWS_284:X-Ray tracing is observability.state_machine_tracing = true (with the X-Ray grants); off by default, runs are followed in the execution history and logs
  #checkov:skip=CKV_AWS_285:Execution data is logged only with observability.state_machine_include_execution_data = true; off by default so log readers do not see run inputs and service messages, which each execution's own history keeps
  name       = local.state_machine_name
  role_arn   = aws_iam_role.this["step_function"].arn
  definition = local.state_machine_definition
  type       = "STANDARD"
  tags       = local.tags

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = local.state_machine_logging.include_execution_data
    level                  = local.state_machine_logging.level
  }

  # Always written, so turning tracing off after it was on is a change Terraform makes.
  tracing_configuration {
    enabled = local.state_machine_tracing_enabled
  }

  # Step Functions checks the role's permissions (log delivery) when the state machine is created.
  depends_on = [aws_iam_role_policy.this]

  lifecycle {
    # SageMaker pulls algorithm images only from its own region: an explicit URI copied from another
    # region's table would fail every training job ("wrong image"), so refuse it at plan time.
    precondition {
      condition     = var.training.image_uri == null ? true : strcontains(var.training.image_uri, ".dkr.ecr.${local.region}.")
      error_message = "training.image_uri ${coalesce(var.training.image_uri, "-")} is not in the deployment region ${local.region}: SageMaker only pulls images from its own region. Leave training.image_uri unset and set training.image_repository / training.image_tag, which are resolved for the region."
    }
  }
}
