# Production hardening (input `security`, `training.vpc`/isolation, `storage.access_log_*`, tracing): the
# resolved keys and network settings the other files use. Every setting is optional; unset, nothing here
# creates a resource or adds a grant, and the module deploys exactly what it did before.

locals {
  # One key for everything unless a service has its own.
  kms_key_arns = {
    bucket    = var.security.kms_key_arn
    logs      = var.security.logs_kms_key_arn != null ? var.security.logs_kms_key_arn : var.security.kms_key_arn
    queue     = var.security.queue_kms_key_arn != null ? var.security.queue_kms_key_arn : var.security.kms_key_arn
    sagemaker = var.security.sagemaker_kms_key_arn != null ? var.security.sagemaker_kms_key_arn : var.security.kms_key_arn
  }
  # Keys that S3 encrypts objects with for the pipeline's readers and writers: the bucket's default key, and
  # SageMaker's for model artifacts (OutputDataConfig.KmsKeyId).
  s3_kms_key_arns = distinct(compact([local.kms_key_arns.bucket, local.kms_key_arns.sagemaker]))

  # A security configuration the module creates from the keys, unless the caller names an existing one.
  creates_glue_security_configuration = var.security.glue_security_configuration == null && var.security.kms_key_arn != null
  glue_security_configuration_name    = local.creates_glue_security_configuration ? "${var.name}-etl" : var.security.glue_security_configuration

  # SageMaker's VpcConfig: subnets may belong to another account (a shared VPC), hence the account wildcard.
  vpc_subnet_arns         = var.training.vpc == null ? [] : [for id in var.training.vpc.subnet_ids : "arn:${local.partition}:ec2:${local.region}:*:subnet/${id}"]
  vpc_security_group_arns = var.training.vpc == null ? [] : [for id in var.training.vpc.security_group_ids : "arn:${local.partition}:ec2:${local.region}:*:security-group/${id}"]
}

resource "aws_glue_security_configuration" "etl" {
  count = local.creates_glue_security_configuration ? 1 : 0

  name = local.glue_security_configuration_name

  encryption_configuration {
    # Glue associates the key with the log groups it writes (logs:AssociateKmsKey, granted in iam.tf).
    cloudwatch_encryption {
      cloudwatch_encryption_mode = "SSE-KMS"
      kms_key_arn                = local.kms_key_arns.logs
    }

    job_bookmarks_encryption {
      job_bookmarks_encryption_mode = "CSE-KMS"
      kms_key_arn                   = local.kms_key_arns.bucket
    }

    s3_encryption {
      s3_encryption_mode = "SSE-KMS"
      kms_key_arn        = local.kms_key_arns.bucket
    }
  }
}
