resource "aws_cloudwatch_log_group" "state_machine" {
  name              = local.sfn_log_group_name
  retention_in_days = var.observability.log_retention_days
  tags              = local.tags
}

resource "aws_sfn_state_machine" "pipeline" {
  name       = local.state_machine_name
  role_arn   = aws_iam_role.this["step_function"].arn
  definition = local.state_machine_definition
  type       = "STANDARD"
  tags       = local.tags

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.state_machine.arn}:*"
    include_execution_data = true
    level                  = var.observability.state_machine_log_level
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
