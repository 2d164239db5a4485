# The SageMaker Model Registry: one model package group per pipeline. Every run whose ETL and training
# succeed registers its model as a new version (the state machine's RegisterModel), Approved when it passed
# the quality gate (or there is none) and Rejected, with the reason, when it did not; the endpoint is then
# deployed from the package, so the registry records what serves. A run whose ETL or training failed has no
# model and registers nothing.
resource "aws_sagemaker_model_package_group" "this" {
  model_package_group_name        = local.model_package_group_name
  model_package_group_description = "Models trained by the ${var.name} pipeline, one version per run (state machine ${local.state_machine_name})."
  # What people and tools (pipeline_cli: `mlops-pipeline versions`) need to find the rest of the pipeline
  # from the group alone.
  tags = merge(local.tags, {
    "mlops-pipeline:endpoint-name"     = local.endpoint_name
    "mlops-pipeline:state-machine-arn" = local.state_machine_arn
    "mlops-pipeline:approval-mode"     = var.approval_mode
  })
}
