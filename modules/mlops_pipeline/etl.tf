# The script's MD5 is its etag: editing glue/etl_job.py changes the plan and re-uploads it.
resource "aws_s3_object" "glue_script" {
  bucket = aws_s3_bucket.pipeline.id
  key    = local.glue_script_key
  source = var.glue_script_path
  etag   = filemd5(var.glue_script_path)
  tags   = local.tags

  # The object inherits the bucket's default encryption; wait for it to be configured.
  depends_on = [aws_s3_bucket_server_side_encryption_configuration.pipeline]
}

resource "aws_cloudwatch_log_group" "glue" {
  name              = local.glue_log_group_name
  retention_in_days = var.log_retention_days
  tags              = local.tags
}

resource "aws_glue_job" "etl" {
  name              = local.glue_job_name
  description       = "ETL of pipeline ${var.name}: validates an uploaded CSV and splits it into train/validation channels."
  role_arn          = aws_iam_role.this["glue"].arn
  glue_version      = var.glue_version
  worker_type       = var.glue_worker_type
  number_of_workers = var.glue_number_of_workers
  timeout           = var.glue_timeout_minutes
  # Set explicitly: Glue reports STANDARD when it is omitted, which would otherwise show as a diff on every
  # plan (and moto, used offline, has no UpdateJob to apply it).
  execution_class = "STANDARD"
  # A failed ETL run fails its pipeline run with Glue's error; retrying the same bad input only costs money.
  max_retries = 0
  tags        = local.tags

  command {
    name            = "glueetl"
    python_version  = "3"
    script_location = "s3://${local.bucket_name}/${aws_s3_object.glue_script.key}"
  }

  # Static arguments of every run (read by glue/etl_job.py); the state machine adds --run_id, --input_uri
  # and --output_uri per run.
  default_arguments = merge({
    "--job-language"                     = "python"
    "--train_fraction"                   = tostring(var.train_fraction)
    "--label_column"                     = tostring(var.label_column)
    "--has_header"                       = tostring(var.input_has_header)
    "--min_valid_rows"                   = tostring(var.min_valid_rows)
    "--max_rejected_fraction"            = tostring(var.max_rejected_fraction)
    "--enable-continuous-cloudwatch-log" = "true"
    "--continuous-log-logGroup"          = aws_cloudwatch_log_group.glue.name
    },
    # Absent means "the column count of the first data line" to the script.
    var.expected_columns == null ? {} : { "--expected_columns" = tostring(var.expected_columns) },
  )

  execution_property {
    # Uploads arriving together each get their own run instead of failing with ConcurrentRunsExceeded.
    max_concurrent_runs = var.glue_max_concurrent_runs
  }
}
