# ---------------------------------------------------------------------------------------------------------
# Identity and plumbing
# ---------------------------------------------------------------------------------------------------------

variable "name" {
  description = "Pipeline name: prefix of every resource and of the per-run SageMaker names (`<name>-<run_id>`). 3-24 characters so those names stay within SageMaker's 63."
  type        = string

  validation {
    condition     = length(var.name) >= 3 && length(var.name) <= 24 && can(regex("^[a-z][a-z0-9-]*[a-z0-9]$", var.name))
    error_message = "name must be 3-24 characters of lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen (it prefixes SageMaker names limited to 63 characters)."
  }
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "trigger_package_path" {
  description = "Path of the trigger Lambda zip built by `make build` (build/trigger.zip)."
  type        = string

  validation {
    condition     = fileexists(var.trigger_package_path)
    error_message = "trigger_package_path: the Lambda package file does not exist; run `make build` to create build/trigger.zip."
  }
}

variable "glue_script_path" {
  description = "Path of the Glue ETL script (glue/etl_job.py) uploaded to the bucket."
  type        = string

  validation {
    condition     = fileexists(var.glue_script_path)
    error_message = "glue_script_path: the Glue ETL script file does not exist (expected glue/etl_job.py of this repository)."
  }
}

variable "state_machine_template_path" {
  description = "Path of the ASL template rendered with templatefile(). null = statemachine/pipeline.asl.json.tftpl of this repository."
  type        = string
  default     = null

  validation {
    condition     = var.state_machine_template_path == null ? true : fileexists(var.state_machine_template_path)
    error_message = "state_machine_template_path: the state machine template file does not exist."
  }
}

variable "log_retention_days" {
  description = "Retention in days of the CloudWatch log groups (Lambda, Glue, Step Functions)."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }
}

variable "state_machine_log_level" {
  description = "Step Functions execution log level sent to CloudWatch Logs: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ERROR"
  nullable    = false

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.state_machine_log_level)
    error_message = "state_machine_log_level must be one of ALL, ERROR, FATAL, OFF."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------------------

variable "bucket_name" {
  description = "Name of the pipeline bucket. null = `<name>-<account id>-<region>`."
  type        = string
  default     = null

  validation {
    condition     = var.bucket_name == null ? true : (length(var.bucket_name) >= 3 && length(var.bucket_name) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.bucket_name)))
    error_message = "bucket_name must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket even when it holds objects (all data is lost)."
  type        = bool
  default     = false
  nullable    = false
}

variable "input_prefix" {
  description = "Key prefix under which an uploaded CSV starts a run."
  type        = string
  default     = "input/"
  nullable    = false

  validation {
    condition     = length(var.input_prefix) >= 2 && endswith(var.input_prefix, "/") && !startswith(var.input_prefix, "/") && !startswith(var.input_prefix, "runs/") && !startswith(var.input_prefix, "scripts/")
    error_message = "input_prefix must end with \"/\", must not start with \"/\", and must not lie under \"runs/\" or \"scripts/\" (used by the pipeline itself), e.g. \"input/\"."
  }
}

variable "run_data_expiration_days" {
  description = "Days after which objects under `runs/` (ETL output, model artifacts) expire; noncurrent object versions expire after the same number of days."
  type        = number
  default     = 90
  nullable    = false

  validation {
    condition     = var.run_data_expiration_days >= 1 && floor(var.run_data_expiration_days) == var.run_data_expiration_days
    error_message = "run_data_expiration_days must be a whole number of days >= 1."
  }
}

# ---------------------------------------------------------------------------------------------------------
# ETL (Glue)
# ---------------------------------------------------------------------------------------------------------

variable "glue_version" {
  description = "AWS Glue version of the ETL job (Spark 3.5 with 5.0)."
  type        = string
  default     = "5.0"
  nullable    = false

  validation {
    condition     = contains(["4.0", "5.0"], var.glue_version)
    error_message = "glue_version must be \"4.0\" or \"5.0\"."
  }
}

variable "glue_worker_type" {
  description = "Glue worker type of the ETL job."
  type        = string
  default     = "G.1X"
  nullable    = false

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.glue_worker_type)
    error_message = "glue_worker_type must be one of G.1X, G.2X, G.4X, G.8X."
  }
}

variable "glue_number_of_workers" {
  description = "Number of Glue workers (2 is the minimum Glue accepts)."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = var.glue_number_of_workers >= 2 && floor(var.glue_number_of_workers) == var.glue_number_of_workers
    error_message = "glue_number_of_workers must be a whole number >= 2."
  }
}

variable "glue_timeout_minutes" {
  description = "Minutes after which Glue stops the ETL job run."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.glue_timeout_minutes >= 1 && var.glue_timeout_minutes <= 10080 && floor(var.glue_timeout_minutes) == var.glue_timeout_minutes
    error_message = "glue_timeout_minutes must be a whole number between 1 and 10080 (7 days)."
  }
}

variable "glue_max_concurrent_runs" {
  description = "Concurrent runs of the ETL job allowed (uploads arriving together each start one)."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.glue_max_concurrent_runs >= 1 && floor(var.glue_max_concurrent_runs) == var.glue_max_concurrent_runs
    error_message = "glue_max_concurrent_runs must be a whole number >= 1."
  }
}

variable "train_fraction" {
  description = "Fraction of the valid rows written to the train channel; the rest goes to validation."
  type        = number
  default     = 0.8
  nullable    = false

  validation {
    condition     = var.train_fraction > 0 && var.train_fraction < 1
    error_message = "train_fraction must be strictly between 0 and 1, e.g. 0.8."
  }
}

variable "label_column" {
  description = "Zero-based index of the label column in the uploaded CSV (SageMaker's CSV algorithms expect it first)."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.label_column >= 0 && floor(var.label_column) == var.label_column
    error_message = "label_column must be a whole number >= 0 (zero-based column index)."
  }
}

variable "input_has_header" {
  description = "Whether the uploaded CSV starts with a header line (the ETL drops it)."
  type        = bool
  default     = false
  nullable    = false
}

variable "min_valid_rows" {
  description = "The ETL fails the run when fewer valid rows than this remain."
  type        = number
  default     = 100
  nullable    = false

  validation {
    condition     = var.min_valid_rows >= 2 && floor(var.min_valid_rows) == var.min_valid_rows
    error_message = "min_valid_rows must be a whole number >= 2 (both channels need at least one row)."
  }
}

variable "max_rejected_fraction" {
  description = "The ETL fails the run when more than this fraction of the rows is rejected (0 = any bad row fails the run)."
  type        = number
  default     = 0.0
  nullable    = false

  validation {
    condition     = var.max_rejected_fraction >= 0 && var.max_rejected_fraction < 1
    error_message = "max_rejected_fraction must be >= 0 and < 1."
  }
}

variable "expected_columns" {
  description = "Number of columns every row must have (label included); rows with another count are rejected. null = the column count of the first data line."
  type        = number
  default     = null

  validation {
    condition     = var.expected_columns == null ? true : (var.expected_columns >= 2 && floor(var.expected_columns) == var.expected_columns)
    error_message = "expected_columns must be a whole number >= 2 (a label and at least one feature), or null."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Training (SageMaker built-in algorithm)
# ---------------------------------------------------------------------------------------------------------

variable "training_image_uri" {
  description = "Explicit ECR URI of the training/serving image, in the deployment region (checked at plan time). null = resolve training_image_repository:training_image_tag for the current region."
  type        = string
  default     = null

  validation {
    condition     = var.training_image_uri == null ? true : can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", var.training_image_uri))
    error_message = "training_image_uri must be an ECR image URI such as 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5 (account.dkr.ecr.region.amazonaws.com/repository:tag or @sha256:digest)."
  }
}

variable "training_image_repository" {
  description = "SageMaker prebuilt image repository resolved per region with aws_sagemaker_prebuilt_ecr_image (used when training_image_uri is null)."
  type        = string
  default     = "sagemaker-xgboost"
  nullable    = false

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]*$", var.training_image_repository))
    error_message = "training_image_repository must be a SageMaker prebuilt repository name such as sagemaker-xgboost or linear-learner."
  }
}

variable "training_image_tag" {
  description = "Tag of training_image_repository (used when training_image_uri is null)."
  type        = string
  default     = "3.0-5"
  nullable    = false

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.training_image_tag))
    error_message = "training_image_tag must be an image tag such as 3.0-5 or 1."
  }
}

variable "hyperparameters" {
  description = "Algorithm hyperparameters passed to CreateTrainingJob (SageMaker takes them as strings)."
  type        = map(string)
  default     = {}
  nullable    = false
}

variable "training_content_type" {
  description = "ContentType of the train and validation channels."
  type        = string
  default     = "text/csv"
  nullable    = false

  validation {
    condition     = length(var.training_content_type) > 0
    error_message = "training_content_type must not be empty, e.g. text/csv."
  }
}

variable "training_instance_type" {
  description = "Instance type of the training job."
  type        = string
  default     = "ml.m5.large"
  nullable    = false

  validation {
    condition     = startswith(var.training_instance_type, "ml.")
    error_message = "training_instance_type must be a SageMaker instance type starting with \"ml.\", e.g. ml.m5.large."
  }
}

variable "training_instance_count" {
  description = "Number of training instances."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.training_instance_count >= 1 && floor(var.training_instance_count) == var.training_instance_count
    error_message = "training_instance_count must be a whole number >= 1."
  }
}

variable "training_volume_size_gb" {
  description = "EBS volume size (GB) attached to each training instance."
  type        = number
  default     = 10
  nullable    = false

  validation {
    condition     = var.training_volume_size_gb >= 1 && var.training_volume_size_gb <= 16384 && floor(var.training_volume_size_gb) == var.training_volume_size_gb
    error_message = "training_volume_size_gb must be a whole number between 1 and 16384."
  }
}

variable "training_max_runtime_seconds" {
  description = "StoppingCondition.MaxRuntimeInSeconds of the training job."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.training_max_runtime_seconds >= 1 && var.training_max_runtime_seconds <= 2419200 && floor(var.training_max_runtime_seconds) == var.training_max_runtime_seconds
    error_message = "training_max_runtime_seconds must be a whole number between 1 and 2419200 (28 days)."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Quality gate
# ---------------------------------------------------------------------------------------------------------

variable "quality_gate_enabled" {
  description = "Deploy a trained model only when its metric passes the gate."
  type        = bool
  default     = true
  nullable    = false
}

variable "quality_gate_metric_name" {
  description = "Name of the metric in the training job's FinalMetricDataList, e.g. validation:error."
  type        = string
  default     = "validation:error"
  nullable    = false

  validation {
    # The name is embedded in a JSONPath filter and in JSON strings of the definition.
    condition     = can(regex("^[^'\"\\\\{}$%]+$", var.quality_gate_metric_name))
    error_message = "quality_gate_metric_name must be a non-empty metric name without quotes, backslashes, braces, $ or %, e.g. validation:error."
  }
}

variable "quality_gate_comparison" {
  description = "How the metric must compare with the threshold for the model to pass: LessThan, LessThanEquals, GreaterThan or GreaterThanEquals."
  type        = string
  default     = "LessThan"
  nullable    = false

  validation {
    condition     = contains(["LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"], var.quality_gate_comparison)
    error_message = "quality_gate_comparison must be one of LessThan, LessThanEquals, GreaterThan, GreaterThanEquals."
  }
}

variable "quality_gate_threshold" {
  description = "Threshold the metric is compared with."
  type        = number
  default     = 0.1
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------
# Endpoint
# ---------------------------------------------------------------------------------------------------------

variable "endpoint_name" {
  description = "Name of the SageMaker endpoint created by the first run and updated by later ones. null = `<name>-endpoint`."
  type        = string
  default     = null

  validation {
    condition     = var.endpoint_name == null ? true : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint_name))
    error_message = "endpoint_name must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }
}

variable "endpoint_instance_type" {
  description = "Instance type of the endpoint's production variant."
  type        = string
  default     = "ml.m5.large"
  nullable    = false

  validation {
    condition     = startswith(var.endpoint_instance_type, "ml.")
    error_message = "endpoint_instance_type must be a SageMaker instance type starting with \"ml.\", e.g. ml.m5.large."
  }
}

variable "endpoint_instance_count" {
  description = "Initial instance count of the endpoint's production variant."
  type        = number
  default     = 1
  nullable    = false

  validation {
    condition     = var.endpoint_instance_count >= 1 && floor(var.endpoint_instance_count) == var.endpoint_instance_count
    error_message = "endpoint_instance_count must be a whole number >= 1."
  }
}

variable "endpoint_poll_interval_seconds" {
  description = "Seconds between two DescribeEndpoint calls while waiting for InService."
  type        = number
  default     = 30
  nullable    = false

  validation {
    condition     = var.endpoint_poll_interval_seconds >= 1 && floor(var.endpoint_poll_interval_seconds) == var.endpoint_poll_interval_seconds
    error_message = "endpoint_poll_interval_seconds must be a whole number of seconds >= 1."
  }
}

variable "endpoint_max_polls" {
  description = "How many DescribeEndpoint polls before the run fails as timed out (interval x polls bounds the wait)."
  type        = number
  default     = 120
  nullable    = false

  validation {
    condition     = var.endpoint_max_polls >= 1 && floor(var.endpoint_max_polls) == var.endpoint_max_polls
    error_message = "endpoint_max_polls must be a whole number >= 1."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Trigger (Lambda asynchronous invocation)
# ---------------------------------------------------------------------------------------------------------

variable "trigger_maximum_retry_attempts" {
  description = "Lambda retries of a failed asynchronous invocation (S3 event) before it goes to the failure queue."
  type        = number
  default     = 2
  nullable    = false

  validation {
    condition     = contains([0, 1, 2], var.trigger_maximum_retry_attempts)
    error_message = "trigger_maximum_retry_attempts must be 0, 1 or 2 (Lambda's limits)."
  }
}

variable "trigger_maximum_event_age_seconds" {
  description = "Seconds an S3 event may wait for a successful invocation before it goes to the failure queue."
  type        = number
  default     = 3600
  nullable    = false

  validation {
    condition     = var.trigger_maximum_event_age_seconds >= 60 && var.trigger_maximum_event_age_seconds <= 21600 && floor(var.trigger_maximum_event_age_seconds) == var.trigger_maximum_event_age_seconds
    error_message = "trigger_maximum_event_age_seconds must be a whole number between 60 and 21600 (Lambda's limits)."
  }
}

variable "failure_queue_retention_seconds" {
  description = "How long the failure queue keeps an event whose run could not be started."
  type        = number
  default     = 1209600
  nullable    = false

  validation {
    condition     = var.failure_queue_retention_seconds >= 60 && var.failure_queue_retention_seconds <= 1209600
    error_message = "failure_queue_retention_seconds must be between 60 and 1209600 (14 days, SQS's maximum)."
  }
}
