# The script's MD5 is its etag: editing the script changes the plan and re-uploads it.
resource "aws_s3_object" "glue_script" {
  bucket = aws_s3_bucket.pipeline.id
  key    = local.glue_script_key
  source = local.glue_script_path
  etag   = filemd5(local.glue_script_path)
  tags   = local.tags

  # The object inherits the bucket's default encryption; wait for it to be configured.
  depends_on = [aws_s3_bucket_server_side_encryption_configuration.pipeline]
}

resource "aws_cloudwatch_log_group" "glue" {
  for_each = toset(local.glue_log_group_names)

  name              = each.value
  retention_in_days = var.observability.log_retention_days
  kms_key_id        = local.kms_key_arns.logs
  tags              = local.tags
}

resource "aws_glue_job" "etl" {
  # Glue writes to the groups as soon as a run starts.
  depends_on = [aws_cloudwatch_log_group.glue]

  name              = local.glue_job_name
  description       = "ETL of pipeline ${var.name}: validates an uploaded CSV and splits it into train/validation channels."
  role_arn          = aws_iam_role.this["glue"].arn
  glue_version      = var.etl.glue_version
  worker_type       = var.etl.worker_type
  number_of_workers = var.etl.number_of_workers
  timeout           = var.etl.timeout_minutes
  # Set explicitly: Glue reports STANDARD when it is omitted, which would otherwise show as a diff on every
  # plan.
  execution_class = "STANDARD"
  # A failed ETL run fails its pipeline run with Glue's error; retrying the same bad input only costs money.
  max_retries = 0
  # null unless `security` names one or sets a KMS key (security.tf).
  security_configuration = local.glue_security_configuration_name
  tags                   = local.tags

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${local.bucket_name}/${aws_s3_object.glue_script.key}"
  }

  # Static arguments of every run (read by glue/etl_job.py); the state machine adds the run's own: its id,
  # the uploaded object and every output URI of the run input (--train_uri, --validation_uri, ...).
  default_arguments = merge({
    "--job-language"          = "python"
    "--train_fraction"        = tostring(var.etl.train_fraction)
    "--label_column"          = tostring(var.etl.label_column)
    "--has_header"            = tostring(var.etl.input_has_header)
    "--min_valid_rows"        = tostring(var.etl.min_valid_rows)
    "--max_rejected_fraction" = tostring(var.etl.max_rejected_fraction)
    },
    # The job's own log groups (created above, with retention and the logs key), so the role writes nowhere else.
    var.etl.glue_version == "4.0" ? {
      "--enable-continuous-cloudwatch-log" = "true"
      "--continuous-log-logGroup"          = aws_cloudwatch_log_group.glue[local.glue_log_group_prefix].name
      } : {
      "--custom-logGroup-prefix" = local.glue_log_group_prefix
    },
    # Absent means "the column count of the first data line" to the script.
    var.etl.expected_columns == null ? {} : { "--expected_columns" = tostring(var.etl.expected_columns) },
  )

  execution_property {
    # Uploads arriving together each get their own run instead of failing with ConcurrentRunsExceeded.
    max_concurrent_runs = var.etl.max_concurrent_runs
  }
}
