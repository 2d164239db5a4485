variable "region" {
  description = "AWS region to deploy the pipelines to."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "tags" {
  description = "Tags added to every resource of every pipeline (merged under each pipeline's own tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}

# One entry per pipeline; the key is the pipeline name. An entry holds the module's input objects
# (storage, etl, training, quality_gate, endpoint, endpoint_deployment, approval_mode, notifications,
# retrain_schedule, scoring, tuning, trigger, observability, security) plus
# `tags`; each is passed to the module as it is, which types, defaults and validates every field
# (modules/mlops_pipeline/README.md).
# The type is `any` so entries may set different fields; outputs.tf refuses a field the module does not know.
variable "pipelines" {
  description = "Pipelines to deploy, keyed by pipeline name (3-24 lowercase letters, digits, single hyphens: no `--`). Each entry sets the module's input objects it needs; unset fields take the module's defaults."
  type        = any

  validation {
    condition     = can(keys(var.pipelines)) && length(var.pipelines) > 0
    error_message = "pipelines must map pipeline names to their settings, with at least one pipeline, e.g. environments/demo.tfvars."
  }
}
