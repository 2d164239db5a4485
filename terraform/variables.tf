variable "region" {
  description = "AWS region to deploy the pipelines to."
  type        = string
  default     = "us-east-1"
  nullable    = false
}

variable "aws_endpoint_url" {
  description = "Send every AWS API call to this URL (the offline cloud of `make demo`, e.g. http://127.0.0.1:4566). null = real AWS."
  type        = string
  default     = null

  validation {
    condition     = var.aws_endpoint_url == null ? true : can(regex("^https?://[^/]+/?$", var.aws_endpoint_url))
    error_message = "aws_endpoint_url must be an http(s) URL without a path, e.g. http://127.0.0.1:4566 (or null for real AWS)."
  }
}

variable "endpoint_poll_interval_seconds" {
  description = "Overrides endpoint_poll_interval_seconds of every pipeline (the offline cloud polls every second). null = each pipeline's own setting."
  type        = number
  default     = null

  validation {
    condition     = var.endpoint_poll_interval_seconds == null ? true : var.endpoint_poll_interval_seconds >= 1
    error_message = "endpoint_poll_interval_seconds must be >= 1 second (or null)."
  }
}

variable "tags" {
  description = "Tags added to every resource of every pipeline (merged under each pipeline's own tags)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "trigger_package_path" {
  description = "Trigger Lambda package shared by all pipelines. null = build/trigger.zip of this repository (`make build`)."
  type        = string
  default     = null
}

variable "glue_script_path" {
  description = "Glue ETL script shared by all pipelines. null = glue/etl_job.py of this repository."
  type        = string
  default     = null
}

# One entry per pipeline; the key is the pipeline name. Unset fields take the module's defaults (see
# modules/mlops_pipeline/README.md), so a new algorithm is a new entry in a tfvars file.
variable "pipelines" {
  description = "Pipelines to deploy, keyed by pipeline name (3-24 lowercase letters, digits, hyphens). Every field is optional and defaults to the module's value."
  type = map(object({
    tags                              = optional(map(string))
    log_retention_days                = optional(number)
    state_machine_log_level           = optional(string)
    bucket_name                       = optional(string)
    force_destroy                     = optional(bool)
    input_prefix                      = optional(string)
    run_data_expiration_days          = optional(number)
    glue_version                      = optional(string)
    glue_worker_type                  = optional(string)
    glue_number_of_workers            = optional(number)
    glue_timeout_minutes              = optional(number)
    glue_max_concurrent_runs          = optional(number)
    train_fraction                    = optional(number)
    label_column                      = optional(number)
    input_has_header                  = optional(bool)
    min_valid_rows                    = optional(number)
    max_rejected_fraction             = optional(number)
    expected_columns                  = optional(number)
    training_image_uri                = optional(string)
    training_image_repository         = optional(string)
    training_image_tag                = optional(string)
    hyperparameters                   = optional(map(string))
    training_content_type             = optional(string)
    training_instance_type            = optional(string)
    training_instance_count           = optional(number)
    training_volume_size_gb           = optional(number)
    training_max_runtime_seconds      = optional(number)
    quality_gate_enabled              = optional(bool)
    quality_gate_metric_name          = optional(string)
    quality_gate_comparison           = optional(string)
    quality_gate_threshold            = optional(number)
    endpoint_name                     = optional(string)
    endpoint_instance_type            = optional(string)
    endpoint_instance_count           = optional(number)
    endpoint_poll_interval_seconds    = optional(number)
    endpoint_max_polls                = optional(number)
    trigger_maximum_retry_attempts    = optional(number)
    trigger_maximum_event_age_seconds = optional(number)
    failure_queue_retention_seconds   = optional(number)
  }))

  validation {
    condition     = length(var.pipelines) > 0
    error_message = "pipelines must contain at least one pipeline, e.g. environments/demo.tfvars."
  }

  # Checked here too so the message names the offending key before any module is evaluated.
  validation {
    condition     = alltrue([for name in keys(var.pipelines) : length(name) >= 3 && length(name) <= 24 && can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", name))])
    error_message = "Every key of pipelines is a pipeline name: 3-24 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen. Invalid: ${join(", ", [for name in keys(var.pipelines) : name if !(length(name) >= 3 && length(name) <= 24 && can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", name)))])}."
  }
}
