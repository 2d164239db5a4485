resource "aws_s3_bucket" "pipeline" {
  #checkov:skip=CKV_AWS_144:Working storage of the pipeline: run outputs expire and are rebuilt by re-running, uploads are copies sent by their producers, and versioning guards against overwrites; a cross-region copy is the caller's disaster-recovery choice
  bucket        = local.bucket_name
  force_destroy = var.storage.force_destroy
  tags          = local.tags
}

# Versioning gives every upload its own version id, which the trigger folds into the run id: a re-upload of
# the same key is a new run.
resource "aws_s3_bucket_versioning" "pipeline" {
  bucket = aws_s3_bucket.pipeline.id

  versioning_configuration {
    status = "Enabled"
  }
}

# SSE-S3 by default; SSE-KMS with `security.kms_key_arn`, with an S3 Bucket Key so S3 calls KMS once per key
# period rather than once per object.
resource "aws_s3_bucket_server_side_encryption_configuration" "pipeline" {
  bucket = aws_s3_bucket.pipeline.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = local.kms_key_arns.bucket == null ? "AES256" : "aws:kms"
      kms_master_key_id = local.kms_key_arns.bucket
    }
    bucket_key_enabled = local.kms_key_arns.bucket == null ? null : true
  }

  lifecycle {
    # S3, CloudWatch Logs, SQS and SageMaker use only keys of their own region.
    precondition {
      condition     = alltrue([for key in values(local.kms_key_arns) : key == null ? true : split(":", key)[3] == local.region])
      error_message = "security: every KMS key must be in the deployment region ${local.region}; got ${jsonencode(local.kms_key_arns)}."
    }
  }
}

# Server access logs to a bucket the caller owns (`storage.access_log_bucket`); that bucket's policy must let
# the S3 logging service (logging.s3.amazonaws.com) write under the prefix.
resource "aws_s3_bucket_logging" "pipeline" {
  count = var.storage.access_log_bucket == null ? 0 : 1

  bucket        = aws_s3_bucket.pipeline.id
  target_bucket = var.storage.access_log_bucket
  target_prefix = var.storage.access_log_prefix != null ? var.storage.access_log_prefix : "${local.bucket_name}/"

  lifecycle {
    precondition {
      condition     = var.storage.access_log_bucket != local.bucket_name
      error_message = "storage.access_log_bucket ${jsonencode(var.storage.access_log_bucket)} is the pipeline bucket itself: access logs need another bucket."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "pipeline" {
  bucket = aws_s3_bucket.pipeline.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      local.bucket_arn,
      "${local.bucket_arn}/*",
    ]

    # A Deny for every principal: no identity, not even this account's, may use plain HTTP.
    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "pipeline" {
  bucket = aws_s3_bucket.pipeline.id
  policy = data.aws_iam_policy_document.bucket.json

  # Writing the policy while the public access block is being changed can fail with OperationAborted.
  depends_on = [aws_s3_bucket_public_access_block.pipeline]
}

resource "aws_s3_bucket_lifecycle_configuration" "pipeline" {
  bucket = aws_s3_bucket.pipeline.id

  rule {
    id     = "expire-run-data"
    status = "Enabled"

    filter {
      prefix = local.runs_prefix
    }

    expiration {
      days = var.storage.run_data_expiration_days
    }
  }

  rule {
    id     = "expire-noncurrent-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.storage.run_data_expiration_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # A lifecycle rule on noncurrent versions needs versioning to be in place first.
  depends_on = [aws_s3_bucket_versioning.pipeline]
}
