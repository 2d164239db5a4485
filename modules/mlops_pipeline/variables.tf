# Inputs grouped by concern: one object per part of the pipeline, every field optional with its default in
# the type, so a caller sets only what differs. Validation is per field and each message names the field.
# Note for callers: Terraform drops object attributes it does not know without a word, so a misspelt field
# falls back to its default; the root configuration (terraform/) refuses such fields in its tfvars.

variable "name" {
  description = "Pipeline name: prefix of every resource and of the per-run SageMaker names (`<name>--<run_id>`). 3-24 characters so those names stay within SageMaker's 63; no `--`, so no pipeline's grants (`<name>--*`) cover another's names."
  type        = string

  validation {
    # No "--" and no trailing hyphen: "--" separates the name from the run id in the per-run SageMaker names,
    # so the state machine's grants `<name>--*` match no other pipeline's names (main.tf, sagemaker_arns).
    condition     = length(var.name) >= 3 && length(var.name) <= 24 && can(regex("^[a-z](-?[a-z0-9])*$", var.name))
    error_message = "name ${jsonencode(var.name)} must be 3-24 characters of lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen (it prefixes SageMaker names limited to 63 characters, where \"--\" separates it from the run id)."
  }
}

variable "tags" {
  description = "Tags added to every resource the module creates."
  type        = map(string)
  default     = {}
  nullable    = false
}

# ---------------------------------------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------------------------------------

variable "storage" {
  description = <<-EOT
    The pipeline bucket.
    - bucket_name: name of the bucket; null = `<name>-<account id>-<region>`.
    - force_destroy: let `terraform destroy` delete the bucket even when it holds objects (all data is lost).
    - input_prefix: key prefix under which an uploaded CSV starts a run.
    - run_data_expiration_days: days after which objects under `runs/` (ETL output, model artifacts) expire; noncurrent object versions expire after the same number of days.
    - access_log_bucket: existing bucket receiving S3 server access logs of the pipeline bucket; null = no access logging.
    - access_log_prefix: key prefix of those logs in access_log_bucket; null = `<bucket name>/`.
  EOT
  type = object({
    bucket_name              = optional(string)
    force_destroy            = optional(bool, false)
    input_prefix             = optional(string, "input/")
    run_data_expiration_days = optional(number, 90)
    access_log_bucket        = optional(string)
    access_log_prefix        = optional(string)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.storage.bucket_name == null ? true : (length(var.storage.bucket_name) >= 3 && length(var.storage.bucket_name) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.storage.bucket_name)))
    error_message = "storage.bucket_name ${jsonencode(var.storage.bucket_name)} must be 3-63 characters of lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit."
  }


  validation {
    # `runs/` and `scripts/` hold what the pipeline writes itself (the run layout in main.tf): an input
    # prefix under them would make a run's own output start new runs.
    condition     = length(var.storage.input_prefix) >= 2 && endswith(var.storage.input_prefix, "/") && !startswith(var.storage.input_prefix, "/") && !startswith(var.storage.input_prefix, "runs/") && !startswith(var.storage.input_prefix, "scripts/")
    error_message = "storage.input_prefix ${jsonencode(var.storage.input_prefix)} must end with \"/\", must not start with \"/\", and must not lie under \"runs/\" or \"scripts/\" (used by the pipeline itself), e.g. \"input/\"."
  }

  validation {
    condition     = var.storage.run_data_expiration_days >= 1 && floor(var.storage.run_data_expiration_days) == var.storage.run_data_expiration_days
    error_message = "storage.run_data_expiration_days must be a whole number of days >= 1."
  }

  validation {
    condition     = var.storage.access_log_bucket == null ? true : (length(var.storage.access_log_bucket) >= 3 && length(var.storage.access_log_bucket) <= 63 && can(regex("^[a-z0-9][a-z0-9.-]*[a-z0-9]$", var.storage.access_log_bucket)) && var.storage.access_log_bucket != var.storage.bucket_name)
    error_message = "storage.access_log_bucket ${jsonencode(var.storage.access_log_bucket)} must be the name of another, existing bucket: 3-63 lowercase letters, digits, dots and hyphens (a bucket logging to itself logs its own log writes)."
  }

  validation {
    condition     = var.storage.access_log_prefix == null ? true : (length(var.storage.access_log_prefix) <= 512 && !startswith(var.storage.access_log_prefix, "/"))
    error_message = "storage.access_log_prefix ${jsonencode(var.storage.access_log_prefix)} must not start with \"/\" and must be at most 512 characters, e.g. \"s3-access/pipeline/\"."
  }

  validation {
    condition     = var.storage.access_log_prefix == null || var.storage.access_log_bucket != null
    error_message = "storage.access_log_prefix ${jsonencode(var.storage.access_log_prefix)} is set but storage.access_log_bucket is not: set the bucket that receives the access logs."
  }
}

# ---------------------------------------------------------------------------------------------------------
# ETL (Glue)
# ---------------------------------------------------------------------------------------------------------

variable "etl" {
  description = <<-EOT
    The Glue ETL job and the rules it applies to an upload (glue/README.md).
    - script_path: Glue script uploaded to the bucket; null = glue/etl_job.py of this repository.
    - glue_version ("4.0" or "5.0"), worker_type (G.1X ... G.8X), number_of_workers (>= 2), timeout_minutes, max_concurrent_runs (uploads arriving together each get their own run).
    - train_fraction: share of the valid rows written to the train channel; the rest goes to validation.
    - label_column: zero-based index of the label column in the upload (written first, as SageMaker's CSV algorithms expect).
    - input_has_header: the upload starts with a header line (the ETL drops it).
    - min_valid_rows: the run fails when fewer valid rows remain.
    - max_rejected_fraction: the run fails when more than this share of the rows is rejected (0 = any bad row fails the run).
    - expected_columns: column count every row must have (label included); null = the most common count among the first lines.
  EOT
  type = object({
    script_path           = optional(string)
    glue_version          = optional(string, "5.0")
    worker_type           = optional(string, "G.1X")
    number_of_workers     = optional(number, 2)
    timeout_minutes       = optional(number, 30)
    max_concurrent_runs   = optional(number, 10)
    train_fraction        = optional(number, 0.8)
    label_column          = optional(number, 0)
    input_has_header      = optional(bool, false)
    min_valid_rows        = optional(number, 100)
    max_rejected_fraction = optional(number, 0)
    expected_columns      = optional(number)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.etl.script_path == null ? true : fileexists(var.etl.script_path)
    error_message = "etl.script_path ${jsonencode(var.etl.script_path)}: the Glue script file does not exist."
  }

  validation {
    condition     = contains(["4.0", "5.0"], var.etl.glue_version)
    error_message = "etl.glue_version must be \"4.0\" or \"5.0\", got ${jsonencode(var.etl.glue_version)}."
  }

  validation {
    condition     = contains(["G.1X", "G.2X", "G.4X", "G.8X"], var.etl.worker_type)
    error_message = "etl.worker_type must be one of G.1X, G.2X, G.4X, G.8X, got ${jsonencode(var.etl.worker_type)}."
  }

  validation {
    condition     = var.etl.number_of_workers >= 2 && floor(var.etl.number_of_workers) == var.etl.number_of_workers
    error_message = "etl.number_of_workers must be a whole number >= 2 (Glue's minimum)."
  }

  validation {
    condition     = var.etl.timeout_minutes >= 1 && var.etl.timeout_minutes <= 10080 && floor(var.etl.timeout_minutes) == var.etl.timeout_minutes
    error_message = "etl.timeout_minutes must be a whole number between 1 and 10080 (7 days)."
  }

  validation {
    condition     = var.etl.max_concurrent_runs >= 1 && floor(var.etl.max_concurrent_runs) == var.etl.max_concurrent_runs
    error_message = "etl.max_concurrent_runs must be a whole number >= 1."
  }

  validation {
    condition     = var.etl.train_fraction > 0 && var.etl.train_fraction < 1
    error_message = "etl.train_fraction must be strictly between 0 and 1, e.g. 0.8."
  }

  validation {
    condition     = var.etl.label_column >= 0 && floor(var.etl.label_column) == var.etl.label_column
    error_message = "etl.label_column must be a whole number >= 0 (zero-based column index)."
  }


  validation {
    condition     = var.etl.min_valid_rows >= 2 && floor(var.etl.min_valid_rows) == var.etl.min_valid_rows
    error_message = "etl.min_valid_rows must be a whole number >= 2 (both channels need at least one row)."
  }

  validation {
    condition     = var.etl.max_rejected_fraction >= 0 && var.etl.max_rejected_fraction < 1
    error_message = "etl.max_rejected_fraction must be >= 0 and < 1."
  }

  validation {
    condition     = var.etl.expected_columns == null ? true : (var.etl.expected_columns >= 2 && floor(var.etl.expected_columns) == var.etl.expected_columns)
    error_message = "etl.expected_columns must be a whole number >= 2 (a label and at least one feature), or null."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Training (SageMaker built-in algorithm)
# ---------------------------------------------------------------------------------------------------------

variable "training" {
  description = <<-EOT
    The SageMaker training job; its image also serves the endpoint.
    - image_repository / image_tag: SageMaker prebuilt image, resolved for the deployment region (aws_sagemaker_prebuilt_ecr_image).
    - image_uri: explicit ECR image URI instead, in the deployment region (checked at plan time).
    - hyperparameters: passed to CreateTrainingJob as is (SageMaker takes strings).
    - content_type of the train and validation channels; instance_type, instance_count, volume_size_gb, max_runtime_seconds.
    - vpc: subnet_ids and security_group_ids the training job and the model (so the endpoint) run in (CreateTrainingJob/CreateModel VpcConfig); null = SageMaker's network.
    - enable_network_isolation: no network access from the training and inference containers (CreateTrainingJob/CreateModel EnableNetworkIsolation).
    - enable_inter_container_traffic_encryption: encrypt traffic between training instances (CreateTrainingJob EnableInterContainerTrafficEncryption).
  EOT
  type = object({
    image_uri           = optional(string)
    image_repository    = optional(string, "sagemaker-xgboost")
    image_tag           = optional(string, "3.0-5")
    hyperparameters     = optional(map(string), {})
    content_type        = optional(string, "text/csv")
    instance_type       = optional(string, "ml.m5.large")
    instance_count      = optional(number, 1)
    volume_size_gb      = optional(number, 10)
    max_runtime_seconds = optional(number, 3600)
    vpc = optional(object({
      subnet_ids         = list(string)
      security_group_ids = list(string)
    }))
    enable_network_isolation                  = optional(bool, false)
    enable_inter_container_traffic_encryption = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.training.image_uri == null ? true : can(regex("^[0-9]{12}\\.dkr\\.ecr\\.[a-z0-9-]+\\.amazonaws\\.com(\\.cn)?/[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$", var.training.image_uri))
    error_message = "training.image_uri ${jsonencode(var.training.image_uri)} must be an ECR image URI such as 683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:3.0-5 (account.dkr.ecr.region.amazonaws.com/repository:tag or @sha256:digest)."
  }

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9._/-]*$", var.training.image_repository))
    error_message = "training.image_repository ${jsonencode(var.training.image_repository)} must be a SageMaker prebuilt repository name such as sagemaker-xgboost or linear-learner."
  }

  validation {
    condition     = can(regex("^[A-Za-z0-9._-]+$", var.training.image_tag))
    error_message = "training.image_tag ${jsonencode(var.training.image_tag)} must be an image tag such as 3.0-5 or 1."
  }


  validation {
    condition     = length(var.training.content_type) > 0
    error_message = "training.content_type must not be empty, e.g. text/csv."
  }

  validation {
    condition     = startswith(var.training.instance_type, "ml.")
    error_message = "training.instance_type must be a SageMaker instance type starting with \"ml.\", e.g. ml.m5.large; got ${jsonencode(var.training.instance_type)}."
  }

  validation {
    condition     = var.training.instance_count >= 1 && floor(var.training.instance_count) == var.training.instance_count
    error_message = "training.instance_count must be a whole number >= 1."
  }

  validation {
    condition     = var.training.volume_size_gb >= 1 && var.training.volume_size_gb <= 16384 && floor(var.training.volume_size_gb) == var.training.volume_size_gb
    error_message = "training.volume_size_gb must be a whole number between 1 and 16384."
  }

  validation {
    condition     = var.training.max_runtime_seconds >= 1 && var.training.max_runtime_seconds <= 2419200 && floor(var.training.max_runtime_seconds) == var.training.max_runtime_seconds
    error_message = "training.max_runtime_seconds must be a whole number between 1 and 2419200 (28 days)."
  }

  validation {
    condition     = var.training.vpc == null ? true : (length(var.training.vpc.subnet_ids) >= 1 && length(var.training.vpc.subnet_ids) <= 16 && alltrue([for id in var.training.vpc.subnet_ids : can(regex("^subnet-[0-9a-f]{8,17}$", id))]))
    error_message = "training.vpc.subnet_ids ${jsonencode(try(var.training.vpc.subnet_ids, null))} must hold 1-16 subnet ids such as subnet-0123456789abcdef0 (SageMaker's VpcConfig limits)."
  }

  validation {
    condition     = var.training.vpc == null ? true : (length(var.training.vpc.security_group_ids) >= 1 && length(var.training.vpc.security_group_ids) <= 5 && alltrue([for id in var.training.vpc.security_group_ids : can(regex("^sg-[0-9a-f]{8,17}$", id))]))
    error_message = "training.vpc.security_group_ids ${jsonencode(try(var.training.vpc.security_group_ids, null))} must hold 1-5 security group ids such as sg-0123456789abcdef0 (SageMaker's VpcConfig limits)."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Quality gate
# ---------------------------------------------------------------------------------------------------------

variable "quality_gate" {
  description = <<-EOT
    Deploy a trained model only when its metric passes: `<metric> <comparison> <threshold>`.
    - enabled: false deploys every trained model.
    - metric_name: a metric of the training job's FinalMetricDataList, e.g. validation:error (see the algorithm's "tuning metrics" page).
    - comparison: LessThan, LessThanEquals, GreaterThan or GreaterThanEquals; threshold: the number compared with.
  EOT
  type = object({
    enabled     = optional(bool, true)
    metric_name = optional(string, "validation:error")
    comparison  = optional(string, "LessThan")
    threshold   = optional(number, 0.1)
  })
  default  = {}
  nullable = false


  validation {
    # The name is embedded in a JSONPath filter and in JSON strings of the definition.
    condition     = can(regex("^[^'\"\\\\{}$%]+$", var.quality_gate.metric_name))
    error_message = "quality_gate.metric_name ${jsonencode(var.quality_gate.metric_name)} must be a non-empty metric name without quotes, backslashes, braces, $ or %, e.g. validation:error."
  }

  validation {
    condition     = contains(["LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"], var.quality_gate.comparison)
    error_message = "quality_gate.comparison must be one of LessThan, LessThanEquals, GreaterThan, GreaterThanEquals; got ${jsonencode(var.quality_gate.comparison)}."
  }

}

# ---------------------------------------------------------------------------------------------------------
# Endpoint
# ---------------------------------------------------------------------------------------------------------

variable "endpoint" {
  description = <<-EOT
    The real-time endpoint the first run creates and later runs update.
    - name: endpoint name; null = `<name>-endpoint`.
    - instance_type, instance_count: the production variant (instance-based hosting).
    - serverless: { memory_size_mb (1024-6144, in steps of 1024), max_concurrency (1-200), provisioned_concurrency (optional, 1-max_concurrency) }: SageMaker Serverless Inference instead of instances (instance_type and instance_count are then unused). Nothing is billed at rest (provisioned concurrency excepted); no GPUs, 4 MB payloads, 60 s per request, cold starts after idle time; no rolling updates (all at once, or a canary / linear CAPACITY_PERCENT of its capacity).
    - poll_interval_seconds: seconds between two DescribeEndpoint calls while a run waits for InService; max_polls: how many before the run fails as timed out (interval x polls bounds the wait).
  EOT
  type = object({
    name           = optional(string)
    instance_type  = optional(string, "ml.m5.large")
    instance_count = optional(number, 1)
    serverless = optional(object({
      memory_size_mb          = number
      max_concurrency         = number
      provisioned_concurrency = optional(number)
    }))
    poll_interval_seconds = optional(number, 30)
    max_polls             = optional(number, 120)
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.endpoint.name == null ? true : can(regex("^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$", var.endpoint.name))
    error_message = "endpoint.name ${jsonencode(var.endpoint.name)} must be 1-63 letters, digits and hyphens, starting and ending with a letter or digit."
  }

  validation {
    condition     = startswith(var.endpoint.instance_type, "ml.")
    error_message = "endpoint.instance_type must be a SageMaker instance type starting with \"ml.\", e.g. ml.m5.large; got ${jsonencode(var.endpoint.instance_type)}."
  }

  validation {
    condition     = var.endpoint.instance_count >= 1 && floor(var.endpoint.instance_count) == var.endpoint.instance_count
    error_message = "endpoint.instance_count must be a whole number >= 1."
  }

  # SageMaker's ProductionVariantServerlessConfig limits.
  validation {
    condition     = var.endpoint.serverless == null ? true : contains([1024, 2048, 3072, 4096, 5120, 6144], var.endpoint.serverless.memory_size_mb)
    error_message = "endpoint.serverless.memory_size_mb must be 1024, 2048, 3072, 4096, 5120 or 6144 (SageMaker Serverless Inference's sizes); got ${jsonencode(try(var.endpoint.serverless.memory_size_mb, null))}."
  }

  validation {
    condition     = var.endpoint.serverless == null ? true : (var.endpoint.serverless.max_concurrency >= 1 && var.endpoint.serverless.max_concurrency <= 200 && floor(var.endpoint.serverless.max_concurrency) == var.endpoint.serverless.max_concurrency)
    error_message = "endpoint.serverless.max_concurrency must be a whole number from 1 to 200; got ${jsonencode(try(var.endpoint.serverless.max_concurrency, null))}."
  }

  validation {
    condition     = try(var.endpoint.serverless.provisioned_concurrency, null) == null ? true : (var.endpoint.serverless.provisioned_concurrency >= 1 && var.endpoint.serverless.provisioned_concurrency <= var.endpoint.serverless.max_concurrency && floor(var.endpoint.serverless.provisioned_concurrency) == var.endpoint.serverless.provisioned_concurrency)
    error_message = "endpoint.serverless.provisioned_concurrency must be a whole number from 1 to endpoint.serverless.max_concurrency (${jsonencode(try(var.endpoint.serverless.max_concurrency, null))}); got ${jsonencode(try(var.endpoint.serverless.provisioned_concurrency, null))}."
  }

  validation {
    condition     = var.endpoint.poll_interval_seconds >= 1 && floor(var.endpoint.poll_interval_seconds) == var.endpoint.poll_interval_seconds
    error_message = "endpoint.poll_interval_seconds must be a whole number of seconds >= 1."
  }

  validation {
    condition     = var.endpoint.max_polls >= 1 && floor(var.endpoint.max_polls) == var.endpoint.max_polls
    error_message = "endpoint.max_polls must be a whole number >= 1."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Endpoint deployment (SageMaker deployment guardrails)
# ---------------------------------------------------------------------------------------------------------

# How a run replaces the model behind an existing endpoint (UpdateEndpoint's DeploymentConfig), and the
# CloudWatch alarms that roll a replacement back (alarms.tf). deployment_guardrails.tf renders the
# DeploymentConfig from this object; the limits checked here are SageMaker's and CloudWatch's (API
# reference: DeploymentConfig, BlueGreenUpdatePolicy, TrafficRoutingConfig, CapacitySize,
# RollingUpdatePolicy, AutoRollbackConfig; PutMetricAlarm), so a bad value fails the plan rather than a run.
variable "endpoint_deployment" {
  description = <<-EOT
    How a run updates the endpoint (SageMaker deployment guardrails) and the alarms that roll an update back. The first run creates the endpoint; this applies to every later run's UpdateEndpoint.
    - strategy: "all_at_once" (default, SageMaker's default update: blue/green, all traffic moves to the new fleet in one step), "canary" (blue/green: the canary share first, then the rest), "linear" (blue/green: equal steps) or "rolling" (the fleet is replaced batch by batch, without a second full fleet).
    - step: { type = "CAPACITY_PERCENT" (default) or "INSTANCE_COUNT", value }: the canary (canary; 1-50 %), each linear step (linear; 10-50 %) or the maximum batch (rolling; 5-50 %), as a share of endpoint.instance_count once rounded up to whole instances (at least one); null = 10 % for canary, 20 % for linear, 25 % for rolling. Not for all_at_once.
    - rollback_batch: { type, value } (rolling only): RollbackMaximumBatchSize, how many instances a rollback brings back at a time; null = SageMaker's default, the whole old fleet at once.
    - wait_interval_seconds: bake after each step, while SageMaker watches the rollback alarms (0-3600); null = 0 for all_at_once, 300 for the others (longer than a few 60 s alarm periods).
    - termination_wait_seconds: blue/green only: how long the old fleet stays up after all traffic moved (0-3600); default 0.
    - maximum_execution_timeout_seconds: SageMaker rolls the update back when it runs longer (600-28800); must exceed the total waiting time (wait_interval_seconds x steps + termination_wait_seconds); null = that waiting time + a provisioning allowance (1800 s for blue/green, 900 s per rolling batch), at least 600 and at most 28800.
    - alarms: the module's alarms on the endpoint's variant (alarms.tf), each rolling an update back while in ALARM; they have no actions (they page no one). Each of invocation_5xx_errors (Invocation5XXErrors), invocation_4xx_errors (Invocation4XXErrors) and model_latency (ModelLatency, in microseconds) has enabled, statistic (SampleCount, Average, Sum, Minimum, Maximum or a percentile p0-p100 such as p99 or p99.9), threshold (>= 0; the alarm is in ALARM above it), period_seconds (a multiple of 60: the metrics are per minute), evaluation_periods, datapoints_to_alarm (breaching periods among the last evaluation_periods) and treat_missing_data (missing, notBreaching, breaching or ignore). Defaults: 5XX error rate (Average) > 1 % in 1 of 1 minute; 4XX error rate > 2 % in 1 of 1 minute; p99 model latency > 500000 us (0.5 s) in 2 of 3 minutes; all notBreaching (no traffic is not a failure).
    - additional_alarm_names: names of existing CloudWatch alarms of this account and region that also roll an update back (after the module's; at most 10 alarms in all).
  EOT
  type = object({
    strategy = optional(string, "all_at_once")
    step = optional(object({
      type  = optional(string, "CAPACITY_PERCENT")
      value = number
    }))
    rollback_batch = optional(object({
      type  = optional(string, "CAPACITY_PERCENT")
      value = number
    }))
    wait_interval_seconds             = optional(number)
    termination_wait_seconds          = optional(number, 0)
    maximum_execution_timeout_seconds = optional(number)
    alarms = optional(object({
      # The share of requests answered 5XX (the metric is 1 per failed request, 0 otherwise: Average is the
      # rate). A model that crashes or times out answers 5XX; one bad minute is enough to stop a rollout.
      invocation_5xx_errors = optional(object({
        enabled             = optional(bool, true)
        statistic           = optional(string, "Average")
        threshold           = optional(number, 0.01)
        period_seconds      = optional(number, 60)
        evaluation_periods  = optional(number, 1)
        datapoints_to_alarm = optional(number, 1)
        treat_missing_data  = optional(string, "notBreaching")
      }), {})
      # The share of requests answered 4XX. The sagemaker-xgboost container answers 400 to a request it
      # cannot score (e.g. a feature count other than the model's after a schema change), so a model that
      # rejects production-shaped requests shows here, not as 5XX. The alarm watches the whole variant, so a
      # broken canary's errors are diluted by the old fleet's answers (a 10 % canary failing everything is
      # 10 %): 2 % in one minute trips on it within the first bake, and still leaves room for callers' own
      # bad requests.
      invocation_4xx_errors = optional(object({
        enabled             = optional(bool, true)
        statistic           = optional(string, "Average")
        threshold           = optional(number, 0.02)
        period_seconds      = optional(number, 60)
        evaluation_periods  = optional(number, 1)
        datapoints_to_alarm = optional(number, 1)
        treat_missing_data  = optional(string, "notBreaching")
      }), {})
      # ModelLatency is in microseconds: 500000 = 0.5 s at the 99th percentile, far above what the built-in
      # algorithms need per request on a CPU instance, so only a model that became much slower trips it;
      # 2 of 3 minutes so one slow minute (a cold instance) does not.
      model_latency = optional(object({
        enabled             = optional(bool, true)
        statistic           = optional(string, "p99")
        threshold           = optional(number, 500000)
        period_seconds      = optional(number, 60)
        evaluation_periods  = optional(number, 3)
        datapoints_to_alarm = optional(number, 2)
        treat_missing_data  = optional(string, "notBreaching")
      }), {})
    }), {})
    additional_alarm_names = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains(["all_at_once", "canary", "linear", "rolling"], var.endpoint_deployment.strategy)
    error_message = "endpoint_deployment.strategy must be one of all_at_once, canary, linear, rolling; got ${jsonencode(var.endpoint_deployment.strategy)}."
  }

  validation {
    condition     = var.endpoint_deployment.step == null ? true : contains(["CAPACITY_PERCENT", "INSTANCE_COUNT"], var.endpoint_deployment.step.type)
    error_message = "endpoint_deployment.step.type must be \"CAPACITY_PERCENT\" or \"INSTANCE_COUNT\" (SageMaker's CapacitySize types); got ${jsonencode(try(var.endpoint_deployment.step.type, null))}."
  }

  validation {
    condition     = var.endpoint_deployment.step == null ? true : (var.endpoint_deployment.step.value >= 1 && floor(var.endpoint_deployment.step.value) == var.endpoint_deployment.step.value)
    error_message = "endpoint_deployment.step.value must be a whole number >= 1 (SageMaker's CapacitySize); got ${jsonencode(try(var.endpoint_deployment.step.value, null))}."
  }

  # all_at_once has one step, the whole fleet: a step size there would be silently ignored.
  validation {
    condition     = !(var.endpoint_deployment.strategy == "all_at_once" && var.endpoint_deployment.step != null)
    error_message = "endpoint_deployment.step ${jsonencode(var.endpoint_deployment.step)} is set, but strategy \"all_at_once\" moves all traffic in one step: remove step, or choose canary, linear or rolling."
  }

  validation {
    condition = try(var.endpoint_deployment.step.type != "CAPACITY_PERCENT", true) ? true : (
      var.endpoint_deployment.step.value >= lookup({ canary = 1, linear = 10, rolling = 5 }, var.endpoint_deployment.strategy, 1) &&
      var.endpoint_deployment.step.value <= 50
    )
    error_message = "endpoint_deployment.step.value ${jsonencode(try(var.endpoint_deployment.step.value, null))} (CAPACITY_PERCENT) is out of SageMaker's range for strategy ${jsonencode(var.endpoint_deployment.strategy)}: a canary is 1-50 %, a linear step 10-50 %, a rolling batch 5-50 % of the fleet."
  }

  # A serverless variant has no instances: SageMaker refuses rolling updates for serverless endpoints (the
  # deployment guardrails' exclusions), and a canary or linear step can only be a share of its capacity.
  validation {
    condition     = var.endpoint.serverless == null || var.endpoint_deployment.strategy != "rolling"
    error_message = "endpoint_deployment.strategy \"rolling\" replaces instances batch by batch, but endpoint.serverless is set: SageMaker does not roll serverless endpoints. Use \"all_at_once\", \"canary\" or \"linear\"."
  }

  validation {
    condition     = var.endpoint.serverless == null || try(var.endpoint_deployment.step.type, "CAPACITY_PERCENT") == "CAPACITY_PERCENT"
    error_message = "endpoint_deployment.step.type \"INSTANCE_COUNT\" counts instances, but endpoint.serverless is set: a serverless endpoint's canary or linear step is a CAPACITY_PERCENT of its capacity."
  }

  # Cross-variable (Terraform >= 1.9): the step is a share of the variant's instances. SageMaker rounds a
  # percentage up to whole instances, at least one, and checks that share (a canary at most 50 % of the
  # instances, a linear step 10-50 %, a rolling batch 5-50 %): a 1-instance endpoint has no step of at most
  # 50 %, so any strategy but all_at_once needs endpoint.instance_count >= 2.
  validation {
    condition = !contains(["canary", "linear", "rolling"], var.endpoint_deployment.strategy) || var.endpoint.serverless != null ? true : try(alltrue(flatten([
      for step in [var.endpoint_deployment.step != null ? var.endpoint_deployment.step : { type = "CAPACITY_PERCENT", value = lookup({ canary = 10, linear = 20, rolling = 25 }, var.endpoint_deployment.strategy) }] : [
        for instances in [step.type == "INSTANCE_COUNT" ? step.value : max(1, ceil(step.value * var.endpoint.instance_count / 100))] :
        instances * 100 <= 50 * var.endpoint.instance_count && instances * 100 >= lookup({ canary = 0, linear = 10, rolling = 5 }, var.endpoint_deployment.strategy) * var.endpoint.instance_count
      ]
    ])), true)
    error_message = join("", flatten([
      for step in [var.endpoint_deployment.step != null ? var.endpoint_deployment.step : { type = "CAPACITY_PERCENT", value = lookup({ canary = 10, linear = 20, rolling = 25 }, var.endpoint_deployment.strategy, 0) }] : [
        for instances in [try(step.type == "INSTANCE_COUNT" ? step.value : max(1, ceil(step.value * var.endpoint.instance_count / 100)), 0)] : [
          for rule in [lookup({ canary = "canary must be at most 50 %", linear = "linear step must be 10-50 %", rolling = "rolling batch must be 5-50 %" }, var.endpoint_deployment.strategy, "step must be at most 50 %")] :
          "endpoint_deployment.step (${step.type} ${step.value}${var.endpoint_deployment.step == null ? ", the default" : ""}) is ${instances} of the endpoint's ${var.endpoint.instance_count} instance(s) (endpoint.instance_count), but a ${rule} of the variant's instances (SageMaker rounds a percentage up to whole instances, at least one). Change step, raise endpoint.instance_count (at least 2 for any step), or use strategy \"all_at_once\"."
        ]
      ]
    ]))
  }

  validation {
    condition     = var.endpoint_deployment.rollback_batch == null || var.endpoint_deployment.strategy == "rolling"
    error_message = "endpoint_deployment.rollback_batch ${jsonencode(var.endpoint_deployment.rollback_batch)} is set, but only strategy \"rolling\" rolls back in batches (RollingUpdatePolicy.RollbackMaximumBatchSize); a blue/green rollback moves all traffic back at once. Remove rollback_batch or use strategy \"rolling\"."
  }

  validation {
    condition = var.endpoint_deployment.rollback_batch == null ? true : try(
      var.endpoint_deployment.rollback_batch.value >= 1 && floor(var.endpoint_deployment.rollback_batch.value) == var.endpoint_deployment.rollback_batch.value && (
        var.endpoint_deployment.rollback_batch.type == "CAPACITY_PERCENT" ? var.endpoint_deployment.rollback_batch.value <= 100 :
        var.endpoint_deployment.rollback_batch.type == "INSTANCE_COUNT" ? var.endpoint_deployment.rollback_batch.value <= var.endpoint.instance_count : false
      ), false
    )
    error_message = "endpoint_deployment.rollback_batch ${jsonencode(var.endpoint_deployment.rollback_batch)} must have type \"CAPACITY_PERCENT\" with a whole value of 1-100, or \"INSTANCE_COUNT\" with a whole value of 1 to endpoint.instance_count (${var.endpoint.instance_count})."
  }

  validation {
    condition     = var.endpoint_deployment.wait_interval_seconds == null ? true : (var.endpoint_deployment.wait_interval_seconds >= 0 && var.endpoint_deployment.wait_interval_seconds <= 3600 && floor(var.endpoint_deployment.wait_interval_seconds) == var.endpoint_deployment.wait_interval_seconds)
    error_message = "endpoint_deployment.wait_interval_seconds must be a whole number of seconds between 0 and 3600 (SageMaker's WaitIntervalInSeconds), or null for the default; got ${jsonencode(var.endpoint_deployment.wait_interval_seconds)}."
  }

  validation {
    condition     = var.endpoint_deployment.termination_wait_seconds >= 0 && var.endpoint_deployment.termination_wait_seconds <= 3600 && floor(var.endpoint_deployment.termination_wait_seconds) == var.endpoint_deployment.termination_wait_seconds
    error_message = "endpoint_deployment.termination_wait_seconds must be a whole number of seconds between 0 and 3600 (SageMaker's TerminationWaitInSeconds); got ${jsonencode(var.endpoint_deployment.termination_wait_seconds)}."
  }

  # RollingUpdatePolicy has no TerminationWaitInSeconds: each batch retires its old instances as it goes.
  validation {
    condition     = !(var.endpoint_deployment.strategy == "rolling" && var.endpoint_deployment.termination_wait_seconds > 0)
    error_message = "endpoint_deployment.termination_wait_seconds ${jsonencode(var.endpoint_deployment.termination_wait_seconds)} is set, but a rolling update retires the old instances batch by batch and has no termination wait: set it to 0, or use a blue/green strategy."
  }

  validation {
    condition     = var.endpoint_deployment.maximum_execution_timeout_seconds == null ? true : (var.endpoint_deployment.maximum_execution_timeout_seconds >= 600 && var.endpoint_deployment.maximum_execution_timeout_seconds <= 28800 && floor(var.endpoint_deployment.maximum_execution_timeout_seconds) == var.endpoint_deployment.maximum_execution_timeout_seconds)
    error_message = "endpoint_deployment.maximum_execution_timeout_seconds must be a whole number of seconds between 600 and 28800 (SageMaker's MaximumExecutionTimeoutInSeconds), or null for the derived default; got ${jsonencode(var.endpoint_deployment.maximum_execution_timeout_seconds)}."
  }

  # SageMaker: the timeout must be larger than the total waiting time. Steps as deployment_guardrails.tf
  # counts them: all_at_once 1, canary 2 (the canary, then the rest), linear and rolling one per step of
  # whole instances; a bake follows every step.
  validation {
    condition = !contains(["all_at_once", "canary", "linear", "rolling"], var.endpoint_deployment.strategy) ? true : try(alltrue(flatten([
      for step in [var.endpoint_deployment.step != null ? var.endpoint_deployment.step : { type = "CAPACITY_PERCENT", value = lookup({ all_at_once = 100, canary = 10, linear = 20, rolling = 25 }, var.endpoint_deployment.strategy) }] : [
        for steps in [lookup({ all_at_once = 1, canary = 2 }, var.endpoint_deployment.strategy, ceil(var.endpoint.instance_count / (step.type == "INSTANCE_COUNT" ? step.value : max(1, ceil(step.value * var.endpoint.instance_count / 100)))))] : [
          for waits in [coalesce(var.endpoint_deployment.wait_interval_seconds, var.endpoint_deployment.strategy == "all_at_once" ? 0 : 300) * steps + (var.endpoint_deployment.strategy == "rolling" ? 0 : var.endpoint_deployment.termination_wait_seconds)] :
          coalesce(var.endpoint_deployment.maximum_execution_timeout_seconds, min(28800, max(600, waits + (var.endpoint_deployment.strategy == "rolling" ? 900 * steps : 1800)))) > waits
        ]
      ]
    ])), true)
    error_message = join("", flatten([
      for step in [var.endpoint_deployment.step != null ? var.endpoint_deployment.step : { type = "CAPACITY_PERCENT", value = lookup({ all_at_once = 100, canary = 10, linear = 20, rolling = 25 }, var.endpoint_deployment.strategy, 100) }] : [
        for steps in [try(lookup({ all_at_once = 1, canary = 2 }, var.endpoint_deployment.strategy, ceil(var.endpoint.instance_count / (step.type == "INSTANCE_COUNT" ? step.value : max(1, ceil(step.value * var.endpoint.instance_count / 100))))), 0)] : [
          for wait in [coalesce(var.endpoint_deployment.wait_interval_seconds, var.endpoint_deployment.strategy == "all_at_once" ? 0 : 300)] : [
            for waits in [wait * steps + (var.endpoint_deployment.strategy == "rolling" ? 0 : var.endpoint_deployment.termination_wait_seconds)] :
            "endpoint_deployment.maximum_execution_timeout_seconds (${coalesce(var.endpoint_deployment.maximum_execution_timeout_seconds, min(28800, max(600, waits + (var.endpoint_deployment.strategy == "rolling" ? 900 * steps : 1800))))}${var.endpoint_deployment.maximum_execution_timeout_seconds == null ? ", derived: waiting time + provisioning allowance, at most 28800" : ""}) must be greater than the update's total waiting time, ${waits} s (wait_interval_seconds ${wait} x ${steps} step(s)${var.endpoint_deployment.strategy == "rolling" ? "" : " + termination_wait_seconds ${var.endpoint_deployment.termination_wait_seconds}"}), as SageMaker requires. Shorten the waits, take fewer, larger steps, or raise the timeout (at most 28800)."
          ]
        ]
      ]
    ]))
  }

  # A canary or linear rollout exists to bake each step under watch: without an alarm SageMaker watches
  # nothing, and the rollout only runs both fleets longer. (A rolling update still saves the second fleet.)
  validation {
    condition     = !contains(["canary", "linear"], var.endpoint_deployment.strategy) || length([for kind, alarm in var.endpoint_deployment.alarms : kind if alarm.enabled]) + length(var.endpoint_deployment.additional_alarm_names) > 0
    error_message = "endpoint_deployment.strategy ${jsonencode(var.endpoint_deployment.strategy)} bakes each step while SageMaker watches the rollback alarms, but none is configured (every endpoint_deployment.alarms.*.enabled is false and additional_alarm_names is empty): enable an alarm, name one in additional_alarm_names, or use strategy \"all_at_once\"."
  }

  validation {
    condition     = alltrue([for kind, alarm in var.endpoint_deployment.alarms : can(regex("^(SampleCount|Average|Sum|Minimum|Maximum|p(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?))$", alarm.statistic))])
    error_message = "endpoint_deployment.alarms: statistic must be SampleCount, Average, Sum, Minimum, Maximum or a percentile from p0 to p100 with at most two decimals (e.g. p99, p99.9); got ${join(", ", [for kind, alarm in var.endpoint_deployment.alarms : "${kind}.statistic = ${jsonencode(alarm.statistic)}" if !can(regex("^(SampleCount|Average|Sum|Minimum|Maximum|p(100(\\.0{1,2})?|[0-9]{1,2}(\\.[0-9]{1,2})?))$", alarm.statistic))])}."
  }

  validation {
    condition     = alltrue([for kind, alarm in var.endpoint_deployment.alarms : alarm.threshold >= 0])
    error_message = "endpoint_deployment.alarms: threshold must be >= 0 (error rates, counts and latencies are never negative); got ${join(", ", [for kind, alarm in var.endpoint_deployment.alarms : "${kind}.threshold = ${alarm.threshold}" if alarm.threshold < 0])}."
  }

  # CloudWatch also takes 10, 20 and 30 s, but only for high-resolution metrics: SageMaker publishes its
  # invocation metrics per minute, so a shorter period would see no data most of the time (and costs more).
  validation {
    condition     = alltrue([for kind, alarm in var.endpoint_deployment.alarms : alarm.period_seconds >= 60 && alarm.period_seconds % 60 == 0])
    error_message = "endpoint_deployment.alarms: period_seconds must be a multiple of 60 (SageMaker's invocation metrics are per minute; CloudWatch's 10, 20 and 30 s periods need high-resolution metrics); got ${join(", ", [for kind, alarm in var.endpoint_deployment.alarms : "${kind}.period_seconds = ${alarm.period_seconds}" if !(alarm.period_seconds >= 60 && alarm.period_seconds % 60 == 0)])}."
  }

  # CloudWatch: an alarm evaluates at most one day of data when its period is under an hour, seven days
  # otherwise (Period x EvaluationPeriods).
  validation {
    condition     = alltrue([for kind, alarm in var.endpoint_deployment.alarms : alarm.evaluation_periods >= 1 && floor(alarm.evaluation_periods) == alarm.evaluation_periods && alarm.period_seconds * alarm.evaluation_periods <= (alarm.period_seconds < 3600 ? 86400 : 604800)])
    error_message = "endpoint_deployment.alarms: evaluation_periods must be a whole number >= 1, with period_seconds x evaluation_periods at most 86400 (one day) for periods under an hour, 604800 (seven days) otherwise (CloudWatch's limit); got ${join(", ", [for kind, alarm in var.endpoint_deployment.alarms : "${kind}: ${alarm.evaluation_periods} x ${alarm.period_seconds} s" if !(alarm.evaluation_periods >= 1 && floor(alarm.evaluation_periods) == alarm.evaluation_periods && alarm.period_seconds * alarm.evaluation_periods <= (alarm.period_seconds < 3600 ? 86400 : 604800))])}."
  }

  validation {
    condition     = alltrue([for kind, alarm in var.endpoint_deployment.alarms : alarm.datapoints_to_alarm >= 1 && floor(alarm.datapoints_to_alarm) == alarm.datapoints_to_alarm && alarm.datapoints_to_alarm <= alarm.evaluation_periods])
    error_message = "endpoint_deployment.alarms: datapoints_to_alarm must be a whole number from 1 to evaluation_periods (CloudWatch's \"M out of N\"); got ${join(", ", [for kind, alarm in var.endpoint_deployment.alarms : "${kind}: ${alarm.datapoints_to_alarm} of ${alarm.evaluation_periods}" if !(alarm.datapoints_to_alarm >= 1 && floor(alarm.datapoints_to_alarm) == alarm.datapoints_to_alarm && alarm.datapoints_to_alarm <= alarm.evaluation_periods)])}."
  }

  validation {
    condition     = alltrue([for kind, alarm in var.endpoint_deployment.alarms : contains(["missing", "notBreaching", "breaching", "ignore"], alarm.treat_missing_data)])
    error_message = "endpoint_deployment.alarms: treat_missing_data must be missing, notBreaching, breaching or ignore; got ${join(", ", [for kind, alarm in var.endpoint_deployment.alarms : "${kind}.treat_missing_data = ${jsonencode(alarm.treat_missing_data)}" if !contains(["missing", "notBreaching", "breaching", "ignore"], alarm.treat_missing_data)])}."
  }

  # SageMaker's Alarm.AlarmName: 1-255 characters, not blank. No "*" or "?": the names also become the IAM
  # resources of cloudwatch:DescribeAlarms (iam.tf), where those are wildcards.
  validation {
    condition     = alltrue([for alarm_name in var.endpoint_deployment.additional_alarm_names : length(alarm_name) >= 1 && length(alarm_name) <= 255 && trimspace(alarm_name) != "" && !can(regex("[*?[:cntrl:]]", alarm_name))])
    error_message = "endpoint_deployment.additional_alarm_names must be names of existing CloudWatch alarms, 1-255 characters, not blank, without control characters, \"*\" or \"?\" (IAM wildcards in the grant to describe them); got ${jsonencode([for alarm_name in var.endpoint_deployment.additional_alarm_names : alarm_name if !(length(alarm_name) >= 1 && length(alarm_name) <= 255 && trimspace(alarm_name) != "" && !can(regex("[*?[:cntrl:]]", alarm_name)))])}."
  }

  validation {
    condition = (
      length(distinct(var.endpoint_deployment.additional_alarm_names)) == length(var.endpoint_deployment.additional_alarm_names) &&
      length(setintersection(toset(var.endpoint_deployment.additional_alarm_names), toset([for suffix in ["5xx-errors", "4xx-errors", "model-latency"] : "${var.name}-endpoint-${suffix}"]))) == 0
    )
    error_message = "endpoint_deployment.additional_alarm_names ${jsonencode(var.endpoint_deployment.additional_alarm_names)} must not repeat a name, nor name one of the module's own alarms (${var.name}-endpoint-5xx-errors, -4xx-errors, -model-latency: enable them under endpoint_deployment.alarms instead)."
  }

  # AutoRollbackConfig.Alarms holds 1-10 alarms; with none the DeploymentConfig leaves it out.
  validation {
    condition     = length([for kind, alarm in var.endpoint_deployment.alarms : kind if alarm.enabled]) + length(var.endpoint_deployment.additional_alarm_names) <= 10
    error_message = "endpoint_deployment: SageMaker takes at most 10 rollback alarms; the enabled module alarms (${length([for kind, alarm in var.endpoint_deployment.alarms : kind if alarm.enabled])}) and additional_alarm_names (${length(var.endpoint_deployment.additional_alarm_names)}) make ${length([for kind, alarm in var.endpoint_deployment.alarms : kind if alarm.enabled]) + length(var.endpoint_deployment.additional_alarm_names)}."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Model approval and notifications
# ---------------------------------------------------------------------------------------------------------

variable "approval_mode" {
  description = <<-EOT
    Who approves a model that passed the quality gate (approval.tf).
    - "auto": the gate does. The version is registered Approved and deployed by the same run.
    - "manual": a person does. The version is registered PendingManualApproval, the run ends succeeded with outcome AwaitingApproval and the endpoint is unchanged. Approving a version (`aws sagemaker update-model-package --model-approval-status Approved`, the console, or `mlops-pipeline approve`) starts a run that deploys exactly that version, also an older one (a rollback); rejecting deploys nothing.
  EOT
  type        = string
  default     = "auto"
  nullable    = false

  validation {
    condition     = contains(["auto", "manual"], var.approval_mode)
    error_message = "approval_mode must be \"auto\" (the quality gate approves and the run deploys) or \"manual\" (a person approves each version in the model registry); got ${jsonencode(var.approval_mode)}."
  }
}

variable "notifications" {
  description = <<-EOT
    Messages people can act on (notifications.tf), sent by EventBridge rules to an SNS topic: a run failed, timed out or was aborted; a model awaits approval; a model was deployed; an endpoint update rolled back. Superseded and skipped runs send nothing.
    - enabled: false = no topic, no rules.
    - topic_arn: an existing SNS topic (standard, same region) to send to instead of one the module creates. Its access policy must let events.amazonaws.com publish (and its KMS key, if any, let EventBridge use it).
    - email_addresses: addresses subscribed to the topic (each confirms by mail before receiving anything).
  EOT
  type = object({
    enabled         = optional(bool, true)
    topic_arn       = optional(string)
    email_addresses = optional(list(string), [])
  })
  default  = {}
  nullable = false

  validation {
    condition     = var.notifications.topic_arn == null ? true : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.notifications.topic_arn))
    error_message = "notifications.topic_arn ${jsonencode(var.notifications.topic_arn)} must be the ARN of a standard SNS topic (arn:aws:sns:<region>:<account>:<name>; FIFO topics need a message group per message, which these rules do not set)."
  }

  validation {
    condition     = alltrue([for address in var.notifications.email_addresses : can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", address))])
    error_message = "notifications.email_addresses must be e-mail addresses (name@domain.tld); not: ${jsonencode([for address in var.notifications.email_addresses : address if !can(regex("^[^@[:space:]]+@[^@[:space:]]+\\.[^@[:space:]]+$", address))])}."
  }

  validation {
    condition     = length(distinct(var.notifications.email_addresses)) == length(var.notifications.email_addresses)
    error_message = "notifications.email_addresses lists an address twice: SNS would keep one subscription."
  }

  validation {
    condition     = var.notifications.enabled || (var.notifications.topic_arn == null && length(var.notifications.email_addresses) == 0)
    error_message = "notifications.enabled = false sends nothing, but notifications.topic_arn or email_addresses is set: remove them or enable notifications."
  }
}

variable "retrain_schedule" {
  description = <<-EOT
    Scheduled retraining (retraining.tf): an EventBridge Scheduler schedule re-runs the pipeline on the newest data file under the input prefix, named as its upload was, so a tick with no new data since the last run starts nothing and logs why. null = no schedule.
    - expression: a Scheduler expression: rate(7 days), cron(0 6 ? * MON *), or at(2027-01-01T06:00:00) for once.
    - timezone: IANA time zone of cron() and at() expressions (default UTC).
    - retrain_unchanged: true = every tick retrains, even on the same bytes as the last run.
  EOT
  type = object({
    expression        = string
    timezone          = optional(string, "UTC")
    retrain_unchanged = optional(bool, false)
  })
  default = null

  validation {
    condition = var.retrain_schedule == null ? true : (
      can(regex("^rate\\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\\)$", var.retrain_schedule.expression)) ||
      can(regex("^cron\\(\\S+ \\S+ \\S+ \\S+ \\S+ \\S+\\)$", var.retrain_schedule.expression)) ||
      can(regex("^at\\([0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\)$", var.retrain_schedule.expression))
    )
    error_message = "retrain_schedule.expression ${jsonencode(try(var.retrain_schedule.expression, null))} must be an EventBridge Scheduler expression: rate(<n> minutes|hours|days), cron(<minutes> <hours> <day-of-month> <month> <day-of-week> <year>) or at(yyyy-mm-ddThh:mm:ss)."
  }

  validation {
    # A schedule more often than hourly retrains on the same data far more often than data can change.
    condition     = var.retrain_schedule == null ? true : !can(regex("^rate\\([0-9]+ minutes?\\)$", var.retrain_schedule.expression)) || try(tonumber(regex("^rate\\(([0-9]+) minutes?\\)$", var.retrain_schedule.expression)[0]) >= 60, false)
    error_message = "retrain_schedule.expression ${jsonencode(try(var.retrain_schedule.expression, null))} fires more often than once an hour: each tick lists the input prefix and may train a model; use rate(1 hour) or less often."
  }

  validation {
    condition     = var.retrain_schedule == null ? true : can(regex("^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$", var.retrain_schedule.timezone))
    error_message = "retrain_schedule.timezone ${jsonencode(try(var.retrain_schedule.timezone, null))} must be an IANA time zone name such as UTC or Europe/Paris."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Hyperparameter tuning before the gate (tuning.tf)
# ---------------------------------------------------------------------------------------------------------

variable "tuning" {
  description = <<-EOT
    Tune the hyperparameters before the gate (SageMaker automatic model tuning); null = one training job per run.
    The objective is quality_gate.metric_name (Maximize for GreaterThan/GreaterThanEquals, Minimize otherwise), so the gate must be enabled.
    - strategy: Bayesian (default), Random, Hyperband, or Grid (categorical ranges only; then leave max_jobs unset: every combination runs).
    - max_jobs: candidates (training jobs) in all, at least 1; each is billed as a training job. max_parallel_jobs: at once, 1-max_jobs.
    - early_stopping: Off (default) or Auto (SageMaker stops candidates unlikely to beat the best); Hyperband needs Off (it stops candidates itself).
    - ranges: continuous and integer (name -> { min, max, scaling = Auto | Linear | Logarithmic | ReverseLogarithmic (continuous only) }), categorical (name -> list of values); 1-30 hyperparameters in all, none also in training.hyperparameters (those stay fixed for every candidate).
  EOT
  type = object({
    strategy          = optional(string, "Bayesian")
    max_jobs          = optional(number)
    max_parallel_jobs = optional(number, 1)
    early_stopping    = optional(string, "Off")
    ranges = object({
      continuous = optional(map(object({
        min     = number
        max     = number
        scaling = optional(string, "Auto")
      })), {})
      integer = optional(map(object({
        min     = number
        max     = number
        scaling = optional(string, "Auto")
      })), {})
      categorical = optional(map(list(string)), {})
    })
  })
  default = null

  validation {
    condition     = var.tuning == null ? true : contains(["Bayesian", "Random", "Hyperband", "Grid"], var.tuning.strategy)
    error_message = "tuning.strategy must be one of Bayesian, Random, Hyperband, Grid; got ${jsonencode(try(var.tuning.strategy, null))}."
  }

  # The objective is the gate's metric: without a gate there is nothing to tune for.
  validation {
    condition     = var.tuning == null ? true : var.quality_gate.enabled
    error_message = "tuning needs quality_gate.enabled = true: the tuning objective is the gate metric (quality_gate.metric_name ${jsonencode(var.quality_gate.metric_name)})."
  }

  validation {
    condition     = var.tuning == null ? true : (var.tuning.max_jobs == null ? var.tuning.strategy == "Grid" : (var.tuning.max_jobs >= 1 && floor(var.tuning.max_jobs) == var.tuning.max_jobs))
    error_message = "tuning.max_jobs must be a whole number >= 1 (SageMaker's MaxNumberOfTrainingJobs; left unset only with strategy Grid); got ${jsonencode(try(var.tuning.max_jobs, null))}."
  }

  # Grid runs every combination of the categorical values: SageMaker refuses a MaxNumberOfTrainingJobs that
  # differs, and the module does not multiply the counts for you.
  validation {
    condition     = var.tuning == null ? true : (var.tuning.strategy != "Grid" || (var.tuning.max_jobs == null && length(var.tuning.ranges.continuous) == 0 && length(var.tuning.ranges.integer) == 0))
    error_message = "tuning.strategy Grid takes categorical ranges only and no max_jobs (every combination runs); got max_jobs ${jsonencode(try(var.tuning.max_jobs, null))}, continuous ${jsonencode(try(keys(var.tuning.ranges.continuous), null))}, integer ${jsonencode(try(keys(var.tuning.ranges.integer), null))}."
  }

  validation {
    condition     = var.tuning == null ? true : (var.tuning.max_parallel_jobs >= 1 && floor(var.tuning.max_parallel_jobs) == var.tuning.max_parallel_jobs && (var.tuning.max_jobs == null || var.tuning.max_parallel_jobs <= coalesce(var.tuning.max_jobs, 1)))
    error_message = "tuning.max_parallel_jobs must be a whole number between 1 and tuning.max_jobs (${jsonencode(try(var.tuning.max_jobs, null))}); got ${jsonencode(try(var.tuning.max_parallel_jobs, null))}."
  }

  validation {
    condition     = var.tuning == null ? true : contains(["Off", "Auto"], var.tuning.early_stopping)
    error_message = "tuning.early_stopping must be Off or Auto; got ${jsonencode(try(var.tuning.early_stopping, null))}."
  }

  validation {
    condition     = var.tuning == null ? true : !(var.tuning.strategy == "Hyperband" && var.tuning.early_stopping != "Off")
    error_message = "tuning.early_stopping must be Off with strategy Hyperband (Hyperband stops candidates itself; SageMaker refuses TrainingJobEarlyStoppingType Auto with it); got ${jsonencode(try(var.tuning.early_stopping, null))}."
  }

  # (The names are listed inline: a validation of var.tuning cannot use a local derived from it.)
  validation {
    condition     = var.tuning == null ? true : (length(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))) >= 1 && length(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))) <= 30)
    error_message = "tuning.ranges must name 1-30 hyperparameters in all (SageMaker's limit); got ${try(length(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))), 0)}: ${jsonencode(try(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical)), null))}."
  }

  validation {
    condition     = var.tuning == null ? true : length(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))) == length(distinct(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))))
    error_message = "tuning.ranges: a hyperparameter may be in one kind of range only; in more than one: ${jsonencode(try(sort([for name in distinct(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))) : name if length([for other in concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical)) : other if other == name]) > 1]), null))}."
  }

  # SageMaker refuses StaticHyperParameters that are also tuned, and a silently dropped fixed value would surprise.
  validation {
    condition     = var.tuning == null ? true : length(setintersection(toset(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))), toset(keys(var.training.hyperparameters)))) == 0
    error_message = "tuning.ranges and training.hyperparameters both set ${jsonencode(try(sort(tolist(setintersection(toset(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical))), toset(keys(var.training.hyperparameters))))), null))}: a tuned hyperparameter must not also be fixed; remove it from training.hyperparameters."
  }

  validation {
    condition     = var.tuning == null ? true : alltrue([for name in concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical)) : length(name) >= 1 && length(name) <= 256 && can(regex("^[^\\x00-\\x1f]+$", name))])
    error_message = "tuning.ranges: hyperparameter names must be 1-256 characters without control characters; got ${jsonencode(try(concat(keys(var.tuning.ranges.continuous), keys(var.tuning.ranges.integer), keys(var.tuning.ranges.categorical)), null))}."
  }

  validation {
    condition = var.tuning == null ? true : alltrue([
      for name, range in merge(var.tuning.ranges.continuous, var.tuning.ranges.integer) : range.min < range.max
    ])
    error_message = "tuning.ranges: min must be below max; not so for ${jsonencode(try(sort([for name, range in merge(var.tuning.ranges.continuous, var.tuning.ranges.integer) : name if range.min >= range.max]), null))}."
  }

  validation {
    condition     = var.tuning == null ? true : alltrue([for name, range in var.tuning.ranges.integer : floor(range.min) == range.min && floor(range.max) == range.max])
    error_message = "tuning.ranges.integer: min and max must be whole numbers; not so for ${jsonencode(try(sort([for name, range in var.tuning.ranges.integer : name if floor(range.min) != range.min || floor(range.max) != range.max]), null))}."
  }

  validation {
    condition     = var.tuning == null ? true : alltrue([for name, range in var.tuning.ranges.continuous : contains(["Auto", "Linear", "Logarithmic", "ReverseLogarithmic"], range.scaling)])
    error_message = "tuning.ranges.continuous: scaling must be Auto, Linear, Logarithmic or ReverseLogarithmic; got ${jsonencode(try({ for name, range in var.tuning.ranges.continuous : name => range.scaling }, null))}."
  }

  validation {
    condition     = var.tuning == null ? true : alltrue([for name, range in var.tuning.ranges.integer : contains(["Auto", "Linear", "Logarithmic"], range.scaling)])
    error_message = "tuning.ranges.integer: scaling must be Auto, Linear or Logarithmic (ReverseLogarithmic is for continuous ranges only); got ${jsonencode(try({ for name, range in var.tuning.ranges.integer : name => range.scaling }, null))}."
  }

  # SageMaker: "Logarithmic scaling works only for ranges that have only values greater than 0".
  validation {
    condition     = var.tuning == null ? true : alltrue([for name, range in merge(var.tuning.ranges.continuous, var.tuning.ranges.integer) : range.scaling != "Logarithmic" || range.min > 0])
    error_message = "tuning.ranges: Logarithmic scaling needs min > 0; not so for ${jsonencode(try(sort([for name, range in merge(var.tuning.ranges.continuous, var.tuning.ranges.integer) : name if range.scaling == "Logarithmic" && range.min <= 0]), null))}."
  }

  # SageMaker: "Reverse logarithmic scaling works only for ranges that are entirely within the range 0<=x<1.0".
  validation {
    condition     = var.tuning == null ? true : alltrue([for name, range in var.tuning.ranges.continuous : range.scaling != "ReverseLogarithmic" || (range.min >= 0 && range.max < 1)])
    error_message = "tuning.ranges.continuous: ReverseLogarithmic scaling needs 0 <= min and max < 1; not so for ${jsonencode(try(sort([for name, range in var.tuning.ranges.continuous : name if range.scaling == "ReverseLogarithmic" && !(range.min >= 0 && range.max < 1)]), null))}."
  }

  validation {
    condition     = var.tuning == null ? true : alltrue([for name, values in var.tuning.ranges.categorical : length(values) >= 1 && length(values) <= 30 && length(distinct(values)) == length(values) && alltrue([for value in values : length(value) >= 1 && length(value) <= 256])])
    error_message = "tuning.ranges.categorical: each hyperparameter takes 1-30 distinct values of 1-256 characters; got ${jsonencode(try(var.tuning.ranges.categorical, null))}."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Batch scoring (scoring.tf)
# ---------------------------------------------------------------------------------------------------------

variable "scoring" {
  description = <<-EOT
    Batch scoring on upload (scoring.tf): a CSV of feature rows (no label column) uploaded under `prefix` starts a run of the `<name>-scoring` state machine, which scores it with a SageMaker batch transform job using the model the endpoint serves now (else the newest Approved version of the registry) and writes `predictions/<run id>/<file>.out` (one prediction per input row, in order) and `predictions/<run id>/manifest.json`. null = no scoring (nothing created).
    - prefix: key prefix of the files to score, e.g. "score/"; must not overlap storage.input_prefix nor the pipeline's own prefixes (runs/, scripts/, predictions/).
    - instance_type, instance_count: the transform job's instances (ml.* types).
    - max_payload_mb: MaxPayloadInMB, the largest mini-batch sent to the model (1-100; one row must fit).
    - max_concurrent_transforms: MaxConcurrentTransforms per instance; null = the container's default. max_concurrent_transforms * max_payload_mb must be at most 100.
    - join_input: true = each output line is the input row followed by its prediction (JoinSource=Input); false = the prediction only.
    - invocations_timeout_seconds: how long the model may take for one mini-batch (1-3600; SageMaker's default 600).
    - invocations_max_retries: retries of a failed mini-batch (0-3; SageMaker's default 3).
    - max_runtime_seconds: the transform step's timeout: past it the run fails States.Timeout (stop a job still running with `aws sagemaker stop-transform-job`).
  EOT
  type = object({
    prefix                      = string
    instance_type               = optional(string, "ml.m5.large")
    instance_count              = optional(number, 1)
    max_payload_mb              = optional(number, 6)
    max_concurrent_transforms   = optional(number)
    join_input                  = optional(bool, false)
    invocations_timeout_seconds = optional(number)
    invocations_max_retries     = optional(number)
    max_runtime_seconds         = optional(number, 3600)
  })
  default = null

  validation {
    condition     = var.scoring == null ? true : (length(var.scoring.prefix) >= 2 && length(var.scoring.prefix) <= 256 && endswith(var.scoring.prefix, "/") && !startswith(var.scoring.prefix, "/") && can(regex("^[A-Za-z0-9!_.*'()/-]+$", var.scoring.prefix)))
    error_message = "scoring.prefix ${jsonencode(try(var.scoring.prefix, null))} must be a key prefix ending with \"/\", not starting with \"/\", of at most 256 letters, digits and !_.*'()/- characters, e.g. \"score/\"."
  }

  # One source for the bucket's own prefixes: the layout in main.tf. Either way round, an overlap would make
  # an upload start both kinds of run, or a run's own output start new runs.
  validation {
    condition = var.scoring == null ? true : alltrue([
      for taken in concat([var.storage.input_prefix], local.reserved_prefixes) :
      !startswith(var.scoring.prefix, taken) && !startswith(taken, var.scoring.prefix)
    ])
    error_message = "scoring.prefix ${jsonencode(try(var.scoring.prefix, null))} overlaps storage.input_prefix ${jsonencode(var.storage.input_prefix)} or a prefix the pipeline uses itself (${join(", ", local.reserved_prefixes)}): neither may be a prefix of the other; use e.g. \"score/\"."
  }

  validation {
    condition     = var.scoring == null ? true : can(regex("^ml\\.[a-z0-9]+\\.[a-z0-9]+$", var.scoring.instance_type))
    error_message = "scoring.instance_type ${jsonencode(try(var.scoring.instance_type, null))} must be a SageMaker instance type such as \"ml.m5.large\"."
  }

  validation {
    condition     = var.scoring == null ? true : (var.scoring.instance_count >= 1 && var.scoring.instance_count <= 100 && floor(var.scoring.instance_count) == var.scoring.instance_count)
    error_message = "scoring.instance_count ${jsonencode(try(var.scoring.instance_count, null))} must be a whole number from 1 to 100."
  }

  validation {
    condition     = var.scoring == null ? true : (var.scoring.max_payload_mb >= 1 && var.scoring.max_payload_mb <= 100 && floor(var.scoring.max_payload_mb) == var.scoring.max_payload_mb)
    error_message = "scoring.max_payload_mb ${jsonencode(try(var.scoring.max_payload_mb, null))} must be a whole number of MB from 1 to 100 (SageMaker's MaxPayloadInMB; a single row must fit)."
  }

  validation {
    condition     = var.scoring == null ? true : (var.scoring.max_concurrent_transforms == null ? true : (var.scoring.max_concurrent_transforms >= 1 && floor(var.scoring.max_concurrent_transforms) == var.scoring.max_concurrent_transforms && var.scoring.max_concurrent_transforms * var.scoring.max_payload_mb <= 100))
    error_message = "scoring.max_concurrent_transforms ${jsonencode(try(var.scoring.max_concurrent_transforms, null))} must be a whole number >= 1 whose product with scoring.max_payload_mb (${jsonencode(try(var.scoring.max_payload_mb, null))}) is at most 100 (SageMaker's limit), or null."
  }

  validation {
    condition     = var.scoring == null ? true : (var.scoring.invocations_timeout_seconds == null ? true : (var.scoring.invocations_timeout_seconds >= 1 && var.scoring.invocations_timeout_seconds <= 3600 && floor(var.scoring.invocations_timeout_seconds) == var.scoring.invocations_timeout_seconds))
    error_message = "scoring.invocations_timeout_seconds ${jsonencode(try(var.scoring.invocations_timeout_seconds, null))} must be a whole number of seconds from 1 to 3600, or null."
  }

  validation {
    condition     = var.scoring == null ? true : (var.scoring.invocations_max_retries == null ? true : (var.scoring.invocations_max_retries >= 0 && var.scoring.invocations_max_retries <= 3 && floor(var.scoring.invocations_max_retries) == var.scoring.invocations_max_retries))
    error_message = "scoring.invocations_max_retries ${jsonencode(try(var.scoring.invocations_max_retries, null))} must be a whole number from 0 to 3, or null."
  }

  validation {
    condition     = var.scoring == null ? true : (var.scoring.max_runtime_seconds >= 60 && var.scoring.max_runtime_seconds <= 172800 && floor(var.scoring.max_runtime_seconds) == var.scoring.max_runtime_seconds)
    error_message = "scoring.max_runtime_seconds ${jsonencode(try(var.scoring.max_runtime_seconds, null))} must be a whole number of seconds from 60 to 172800 (2 days)."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Trigger (Lambda asynchronous invocation)
# ---------------------------------------------------------------------------------------------------------

variable "trigger" {
  description = <<-EOT
    How an S3 event becomes a run, and what happens when it cannot.
    - maximum_retry_attempts: Lambda retries of a failed asynchronous invocation (0-2) before the event goes to the failure queue.
    - maximum_event_age_seconds: how long an event may wait for a successful invocation (60-21600).
    - failure_queue_retention_seconds: how long the failure queue keeps an event whose run could not be started (60-1209600).
    - reserved_concurrent_executions: concurrency reserved for (and capping) the trigger Lambda; null = unreserved (the account's pool).
  EOT
  type = object({
    maximum_retry_attempts          = optional(number, 2)
    maximum_event_age_seconds       = optional(number, 3600)
    failure_queue_retention_seconds = optional(number, 1209600)
    reserved_concurrent_executions  = optional(number)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([0, 1, 2], var.trigger.maximum_retry_attempts)
    error_message = "trigger.maximum_retry_attempts must be 0, 1 or 2 (Lambda's limits)."
  }

  validation {
    condition     = var.trigger.maximum_event_age_seconds >= 60 && var.trigger.maximum_event_age_seconds <= 21600 && floor(var.trigger.maximum_event_age_seconds) == var.trigger.maximum_event_age_seconds
    error_message = "trigger.maximum_event_age_seconds must be a whole number between 60 and 21600 (Lambda's limits)."
  }

  validation {
    condition     = var.trigger.failure_queue_retention_seconds >= 60 && var.trigger.failure_queue_retention_seconds <= 1209600
    error_message = "trigger.failure_queue_retention_seconds must be between 60 and 1209600 (14 days, SQS's maximum)."
  }

  validation {
    # 0 would throttle every invocation: no upload would start a run.
    condition     = var.trigger.reserved_concurrent_executions == null ? true : (var.trigger.reserved_concurrent_executions >= 1 && floor(var.trigger.reserved_concurrent_executions) == var.trigger.reserved_concurrent_executions)
    error_message = "trigger.reserved_concurrent_executions must be a whole number >= 1 (0 would stop every run), or null for unreserved; got ${jsonencode(var.trigger.reserved_concurrent_executions)}."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Observability
# ---------------------------------------------------------------------------------------------------------

variable "observability" {
  description = <<-EOT
    Logs and tracing of the pipeline's components.
    - log_retention_days: retention of the CloudWatch log groups (Lambda, Glue, Step Functions); one of the values CloudWatch Logs accepts.
    - state_machine_log_level: Step Functions execution log level: ALL, ERROR, FATAL or OFF.
    - state_machine_include_execution_data: also log each logged event's input, output and parameters (the run input, S3 URIs, metrics, error causes with service messages). Off by default: they can carry data the log group's readers should not see. true needs a log level other than OFF.
    - lambda_tracing_mode: X-Ray tracing of the trigger Lambda: "PassThrough" (Lambda's default: traced only when the caller sampled the request) or "Active" (sampled by Lambda; the role gets the X-Ray write permissions).
    - state_machine_tracing: X-Ray tracing of the state machine (the role gets the X-Ray write permissions).
  EOT
  type = object({
    log_retention_days                   = optional(number, 30)
    state_machine_log_level              = optional(string, "ERROR")
    state_machine_include_execution_data = optional(bool, false)
    lambda_tracing_mode                  = optional(string, "PassThrough")
    state_machine_tracing                = optional(bool, false)
  })
  default  = {}
  nullable = false

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.observability.log_retention_days)
    error_message = "observability.log_retention_days must be one of the values CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653."
  }

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.observability.state_machine_log_level)
    error_message = "observability.state_machine_log_level must be one of ALL, ERROR, FATAL, OFF; got ${jsonencode(var.observability.state_machine_log_level)}."
  }

  # With level OFF nothing is logged: asking for execution data there is a contradiction, not a choice.
  validation {
    condition     = !(var.observability.state_machine_include_execution_data && var.observability.state_machine_log_level == "OFF")
    error_message = "observability.state_machine_include_execution_data = true needs observability.state_machine_log_level ALL, ERROR or FATAL: with OFF no execution data is logged."
  }

  validation {
    condition     = contains(["Active", "PassThrough"], var.observability.lambda_tracing_mode)
    error_message = "observability.lambda_tracing_mode must be \"Active\" or \"PassThrough\"; got ${jsonencode(var.observability.lambda_tracing_mode)}."
  }
}

# ---------------------------------------------------------------------------------------------------------
# Security (encryption keys, IAM boundary and path, Glue security configuration)
# ---------------------------------------------------------------------------------------------------------

variable "security" {
  description = <<-EOT
    Encryption with customer managed KMS keys and the identity settings of every role; unset = today's behaviour (SSE-S3 bucket, service-owned encryption, no boundary, path "/"). The module README lists the key-policy statements each service needs.
    - kms_key_arn: KMS key ARN for the bucket (SSE-KMS, S3 Bucket Key on), and the default of the three keys below.
    - logs_kms_key_arn: key of the CloudWatch log groups (Lambda, Glue, Step Functions); null = kms_key_arn.
    - queue_kms_key_arn: key of the trigger's failure queue (SQS); null = kms_key_arn.
    - sagemaker_kms_key_arn: key of the training volumes and model artifacts (ResourceConfig.VolumeKmsKeyId, OutputDataConfig.KmsKeyId) and of the endpoint's storage (CreateEndpointConfig KmsKeyId); null = kms_key_arn.
    - glue_security_configuration: name of an existing Glue security configuration for the ETL job; null = one the module creates from the keys when kms_key_arn is set (S3 SSE-KMS, CloudWatch Logs and job bookmark encryption), none otherwise.
    - permissions_boundary_arn: managed policy ARN set as permissions boundary of every role the module creates.
    - iam_path: path of every role the module creates.
  EOT
  type = object({
    kms_key_arn                 = optional(string)
    logs_kms_key_arn            = optional(string)
    queue_kms_key_arn           = optional(string)
    sagemaker_kms_key_arn       = optional(string)
    glue_security_configuration = optional(string)
    permissions_boundary_arn    = optional(string)
    iam_path                    = optional(string, "/")
  })
  default  = {}
  nullable = false

  # Key ARNs, not key ids or aliases: IAM grants and CloudWatch Logs take the key ARN.
  validation {
    condition = alltrue([
      for key in [var.security.kms_key_arn, var.security.logs_kms_key_arn, var.security.queue_kms_key_arn, var.security.sagemaker_kms_key_arn] :
      key == null ? true : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/(mrk-)?[0-9a-f-]{32,36}$", key))
    ])
    error_message = "security.kms_key_arn, logs_kms_key_arn, queue_kms_key_arn and sagemaker_kms_key_arn must be KMS key ARNs such as arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab (not a key id or alias); got ${jsonencode([var.security.kms_key_arn, var.security.logs_kms_key_arn, var.security.queue_kms_key_arn, var.security.sagemaker_kms_key_arn])}."
  }

  validation {
    condition     = var.security.glue_security_configuration == null ? true : can(regex("^[^\\r\\n]{1,255}$", var.security.glue_security_configuration))
    error_message = "security.glue_security_configuration ${jsonencode(var.security.glue_security_configuration)} must be the name of an existing Glue security configuration (1-255 characters, one line)."
  }

  validation {
    condition     = var.security.permissions_boundary_arn == null ? true : can(regex("^arn:aws[a-z-]*:iam::([0-9]{12}|aws):policy/[\\w+=,.@/-]+$", var.security.permissions_boundary_arn))
    error_message = "security.permissions_boundary_arn ${jsonencode(var.security.permissions_boundary_arn)} must be a managed policy ARN such as arn:aws:iam::123456789012:policy/pipeline-boundary."
  }

  validation {
    condition     = length(var.security.iam_path) <= 512 && can(regex("^/([\\x21-\\x7E]*/)?$", var.security.iam_path)) && !strcontains(var.security.iam_path, "//")
    error_message = "security.iam_path ${jsonencode(var.security.iam_path)} must begin and end with \"/\" (IAM's path rule, at most 512 printable characters), e.g. \"/\" or \"/mlops/\"."
  }
}
