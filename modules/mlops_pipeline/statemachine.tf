resource "aws_cloudwatch_log_group" "state_machine" {
  name              = local.sfn_log_group_name
  retention_in_days = var.log_retention_days
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
    level                  = var.state_machine_log_level
  }

  # Step Functions checks the role's permissions (log delivery) when the state machine is created.
  depends_on = [aws_iam_role_policy.this]
}
